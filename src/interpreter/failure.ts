// What a journey can fail of: the playbook asked for something its data cannot give (an expression over
// a value that is not there, a time zone that does not exist, a window that never opens). Such a failure
// ends that journey, with the reason. Any other error is a bug in Rapport: it is not caught, so the
// workflow task fails and is retried, and the journey goes on once a fixed release runs it.
export class JourneyFailure extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'JourneyFailure';
  }
}

/** An expression or an inline text could not be evaluated (thrown by the expression engine). */
export class ExpressionFailure extends JourneyFailure {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ExpressionFailure';
  }
}
