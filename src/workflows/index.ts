// Entry of the workflow bundle: every workflow type the worker serves.
export { orderWorkflow } from './order';
export { webhookSweepWorkflow } from './sweep';
