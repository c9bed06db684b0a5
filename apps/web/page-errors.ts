/** Thrown by the page guard when nobody is signed in (or the session expired): the filter redirects to sign-in. */
export class SignInRequired extends Error {
  constructor(readonly next: string) {
    super('sign in required');
  }
}

/** An answer of the JSON API the page could not turn into a page of its own. */
export class ApiRefusal extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message ?? `the API answered ${status}`);
  }
}

export interface ApiErrorBody {
  statusCode?: number;
  code?: string;
  message?: string;
  errors?: { field: string; messages: string[] }[];
}

/** The API's field errors as one message per field, to show beside each field of a form. */
export function messagesByField(error?: ApiErrorBody): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const e of error?.errors ?? []) {
    const text = e.messages.join('; ');
    byField[e.field] = byField[e.field] ? `${byField[e.field]}; ${text}` : text;
  }
  return byField;
}
