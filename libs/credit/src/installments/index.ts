export * from './installment-schedule';
export * from './apr';
export * from './early-payoff';
