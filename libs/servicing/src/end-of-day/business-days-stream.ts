/** The system stream of closed business days (`BusinessDayClosed`, one per day, in order). */
export const BUSINESS_DAYS_STREAM_NAME = 'ledger-business-days';
