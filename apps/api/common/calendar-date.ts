import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { CALENDAR_DATE_FORM, isCalendarDate } from '@libs/domain/calendar-date';

/**
 * class-validator decorator for isCalendarDate, with a message that names the field. With `explainUnreal`,
 * a value written YYYY-MM-DD that is no real day (2027-02-30) is answered "<field> is not a real date" instead.
 */
export function IsCalendarDate({
  explainUnreal = false,
  ...options
}: ValidationOptions & { explainUnreal?: boolean } = {}) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName,
      options: {
        message: ({ value }: ValidationArguments) =>
          explainUnreal && typeof value === 'string' && CALENDAR_DATE_FORM.test(value)
            ? `${propertyName} is not a real date`
            : `${propertyName} must be a date in the form YYYY-MM-DD`,
        ...options,
      },
      validator: { validate: isCalendarDate },
    });
}
