import { Injectable } from '@nestjs/common';
import { DirectoryRepository } from '@libs/persistence';

/** A person as lists show them: their name from the directory, or the email when the directory does not know them. */
export type NameOf = (email: string | null | undefined) => string;

/**
 * Names instead of emails in the pages' lists. Only names are read (no tier, no flags): anyone who
 * sees a row already sees whose it is.
 */
@Injectable()
export class PeopleNames {
  constructor(private readonly directory: DirectoryRepository) {}

  async of(emails: ReadonlyArray<string | null | undefined>): Promise<NameOf> {
    const names = await this.directory.namesOf(emails.filter((e): e is string => typeof e === 'string'));
    return (email) => (email ? (names.get(email.trim().toLowerCase()) ?? email) : '');
  }
}
