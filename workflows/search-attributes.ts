/** Search attributes registered on the Temporal server (scripts/stack/temporal.sh, temporal-dev.yml). */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const ORDER_NUMBER = defineSearchAttributeKey('OrderNumber', SearchAttributeType.KEYWORD);
export const USER_ID = defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD);
export const ORDER_STATUS = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
/** The shipment workflow's: operators filter `ShipmentStuck = true`, or find a parcel by `AirwayBill`. */
export const SHIPMENT_STATUS = defineSearchAttributeKey('ShipmentStatus', SearchAttributeType.KEYWORD);
export const AIRWAY_BILL = defineSearchAttributeKey('AirwayBill', SearchAttributeType.KEYWORD);
export const SHIPMENT_STUCK = defineSearchAttributeKey('ShipmentStuck', SearchAttributeType.BOOL);
/** A complaint's current state and when its current timer fires (unset in a state without one). */
export const COMPLAINT_STATE = defineSearchAttributeKey('ComplaintState', SearchAttributeType.KEYWORD);
export const COMPLAINT_DEADLINE = defineSearchAttributeKey('ComplaintDeadline', SearchAttributeType.DATETIME);
