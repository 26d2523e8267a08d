/**
 * The Azure deployment a job's Deploy button creates: named after the job, so Try it, Delete
 * deployment and a person in the portal all find it without storing anything more.
 */
export function deploymentNameFor(jobId: string): string {
  return `finetune-${jobId}`;
}
