// What the instance endpoints report: admin-set texts (instance settings,
// with defaults), the registration mode, and counts from the database.
import type { Config } from '../../../config/load.ts';
import { countActiveLocalUsers, countInstance, findContactAccount, type Account } from '../../db/accounts.repo.ts';
import { getSetting } from '../../db/instance-settings.repo.ts';
import type { Db } from '../../db/knex.ts';
import { registrationMode, type RegistrationMode } from '../accounts/registration.service.ts';

const MONTH_MS = 30 * 24 * 60 * 60 * 1000;

export interface InstanceInfo {
  title: string;
  description: string;
  shortDescription: string;
  email: string;
  languages: string[];
  registrationMode: RegistrationMode;
  userCount: number;
  statusCount: number;
  domainCount: number;
  activeMonth: number;
  contactAccount: Account | null;
}

export async function getInstanceInfo(db: Db, config: Config, now = Date.now()): Promise<InstanceInfo> {
  const [title, description, shortDescription, email, languages, contactUsername, mode, counts, activeMonth] = await Promise.all([
    getSetting<string>(db, 'title'),
    getSetting<string>(db, 'description'),
    getSetting<string>(db, 'short_description'),
    getSetting<string>(db, 'contact_email'),
    getSetting<string[]>(db, 'languages'),
    getSetting<string>(db, 'contact_username'),
    registrationMode(db, config),
    countInstance(db),
    countActiveLocalUsers(db, now - MONTH_MS),
  ]);
  const contactAccount = (await findContactAccount(db, contactUsername)) ?? null;
  return {
    title: title || 'Viewfinder',
    description: description ?? '',
    shortDescription: shortDescription ?? description ?? '',
    email: email ?? '',
    languages: Array.isArray(languages) && languages.length ? languages : ['en'],
    registrationMode: mode,
    userCount: counts.users,
    statusCount: counts.posts,
    domainCount: counts.domains,
    activeMonth,
    contactAccount,
  };
}
