/** Search attributes registered on the Temporal server (scripts/stack/temporal.sh, temporal-dev.yml). */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const ORDER_NUMBER = defineSearchAttributeKey('OrderNumber', SearchAttributeType.KEYWORD);
export const USER_ID = defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD);
export const ORDER_STATUS = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
