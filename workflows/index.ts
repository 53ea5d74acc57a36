// Every workflow the worker registers. Workflow code imports activity *types* only.
export { checkoutWorkflow } from './checkout';
export { pingWorkflow } from './ping';
export { refundOrderWorkflow } from './refund';
export { reconcilePaymentsWorkflow } from './reconcile';
export { shipmentWorkflow } from './shipment';
export { complaintWorkflow } from './complaint';
