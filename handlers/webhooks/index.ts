export { OPENAI_WEBHOOK_PATH, openaiWebhookRoute } from './openai.ts';
