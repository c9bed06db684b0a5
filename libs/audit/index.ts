export * from './decision-trail';
export * from './replay';
