/**
 * A duration given in hours, as a person reads it: minutes under 2 hours ("under a minute",
 * "1 minute", "45 minutes"), hours up to 48 ("2.5 hours"), days beyond ("3.2 days").
 */
export function durationInWords(hours: number): string {
  if (!Number.isFinite(hours) || hours < 0) return '';
  if (hours < 2) {
    const minutes = Math.round(hours * 60);
    if (minutes < 1) return 'under a minute';
    return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  }
  const [value, unit] = hours <= 48 ? [hours, 'hours'] : [hours / 24, 'days'];
  const rounded = Math.round(value * 10) / 10;
  return `${rounded} ${unit}`;
}
