// Entry of the workflow bundle: every workflow type the worker serves.
export { orderWorkflowV4 } from './order';
export { orderWorkflow, orderWorkflowV2, orderWorkflowV3 } from './order-legacy';
export { webhookSweepWorkflow } from './sweep';
