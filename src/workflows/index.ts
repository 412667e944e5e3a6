// Entry of the workflow bundle: every workflow type the worker serves.
export { orderWorkflow, orderWorkflowV2, orderWorkflowV3, orderWorkflowV4 } from './order';
export { webhookSweepWorkflow } from './sweep';
