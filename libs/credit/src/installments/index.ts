export * from './installment-schedule';
export * from './apr';
