import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { toAppError, type Backend } from './backend';
import type { AuditPage } from './bindings/AuditPage';
import type { DeleteOutcome } from './bindings/DeleteOutcome';
import type { DeleteRequest } from './bindings/DeleteRequest';
import type { DepartmentInfo } from './bindings/DepartmentInfo';
import type { NotificationSettings } from './bindings/NotificationSettings';
import type { EventsPage } from './bindings/EventsPage';
import type { OutboxPage } from './bindings/OutboxPage';
import type { PasswordReset } from './bindings/PasswordReset';
import type { ResourceRef } from './bindings/ResourceRef';
import type { UserLimits } from './bindings/UserLimits';
import type { UserResources } from './bindings/UserResources';
import type { UserStatistics } from './bindings/UserStatistics';
import type { Catalogue } from './bindings/Catalogue';
import type { ConnectionStatus } from './bindings/ConnectionStatus';
import type { InviteRequest } from './bindings/InviteRequest';
import type { NewRole } from './bindings/NewRole';
import type { ProfileSummary } from './bindings/ProfileSummary';
import type { SyncState } from './bindings/SyncState';
import type { UserDetail } from './bindings/UserDetail';
import type { UserEdit } from './bindings/UserEdit';
import type { UsersWindow } from './bindings/UsersWindow';
import type { WindowRequest } from './bindings/WindowRequest';

/** Commands called at least once: their first call is marked (below). */
const called = new Set<string>();

/**
 * Calls a Tauri command; a rejection always arrives as an `AppError`. The
 * first call of each command leaves performance marks (`roster:<command>`
 * when asked, `roster:<command>:answered`): start-up's timeline, for the
 * app's benchmark and for anyone in the web inspector.
 */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  const first = !called.has(command);
  if (first) {
    called.add(command);
    performance.mark(`roster:${command}`);
  }
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toAppError(error);
  } finally {
    if (first) performance.mark(`roster:${command}:answered`);
  }
}

/** Whether two window requests ask the same thing. */
function sameRequest(a: WindowRequest, b: WindowRequest): boolean {
  return (
    a.tab === b.tab &&
    a.search === b.search &&
    a.sort.key === b.sort.key &&
    a.sort.descending === b.sort.descending &&
    a.offset === b.offset &&
    a.limit === b.limit &&
    a.department === b.department
  );
}

/** The app's backend: one Tauri command per method, arguments in camelCase. */
export class TauriBackend implements Backend {
  /**
   * The Users table's first window from the offline copy, asked for as the
   * app starts; null when there is no synced copy to answer from.
   */
  private early: { request: WindowRequest; answer: Promise<UsersWindow | null> } | null = null;

  /**
   * Asks for the Users table's first window now, while the page is still
   * being built. The connection's answer waits for it (it comes right
   * behind, never from the server), so the Users screen is built with its
   * rows, in one layout and paint, instead of painting an empty table and
   * then the rows. Used only by the table's first request, and only if it
   * asks the same; without an answer (no copy, a failure) the table asks
   * as usual and hears any error then.
   */
  prefetchUsersWindow(request: WindowRequest): void {
    const answer = call<UsersWindow | null>('first_users_window', { request }).catch(() => null);
    this.early = { request, answer };
  }

  listProfiles(): Promise<ProfileSummary[]> {
    return call('list_profiles');
  }

  async currentConnection(): Promise<ConnectionStatus | null> {
    const current = await call<ConnectionStatus | null>('current_connection');
    if (this.early !== null) await this.early.answer;
    return current;
  }

  connectWithPassword(
    serverUrl: string,
    email: string,
    password: string,
  ): Promise<ConnectionStatus> {
    return call('connect_with_password', { serverUrl, email, password });
  }

  connectWithToken(serverUrl: string, token: string): Promise<ConnectionStatus> {
    return call('connect_with_token', { serverUrl, token });
  }

  openDemo(): Promise<ConnectionStatus> {
    return call('open_demo');
  }

  switchProfile(profileId: string): Promise<ConnectionStatus> {
    return call('switch_profile', { profileId });
  }

  signOut(): Promise<void> {
    return call('sign_out');
  }

  catalogue(): Promise<Catalogue> {
    return call('catalogue');
  }

  usersWindow(request: WindowRequest): Promise<UsersWindow> {
    const early = this.early;
    this.early = null;
    if (early !== null && sameRequest(early.request, request)) {
      return early.answer.then((window) => window ?? call('users_window', { request }));
    }
    return call('users_window', { request });
  }

  getUser(id: string): Promise<UserDetail> {
    return call('get_user', { id });
  }

  saveUser(id: string, version: string | null, edit: UserEdit): Promise<UserDetail> {
    return call('save_user', { id, version, edit });
  }

  inviteUser(request: InviteRequest): Promise<UserDetail> {
    return call('invite_user', { request });
  }

  setArchived(id: string, version: string | null, archived: boolean): Promise<UserDetail> {
    return call('set_archived', { id, version, archived });
  }

  deleteUser(id: string, version: string | null): Promise<void> {
    return call('delete_user', { id, version });
  }

  resendInvitation(id: string): Promise<UserDetail> {
    return call('resend_invitation', { id });
  }

  revokeInvitation(id: string): Promise<void> {
    return call('revoke_invitation', { id });
  }

  outbox(before: number | null, limit: number | null): Promise<OutboxPage> {
    return call('outbox', { before, limit });
  }

  resetPassword(id: string): Promise<PasswordReset> {
    return call('reset_password', { id });
  }

  resources(): Promise<ResourceRef[]> {
    return call('resources');
  }

  userResources(id: string): Promise<UserResources> {
    return call('user_resources', { id });
  }

  grantResources(id: string, resources: string[]): Promise<UserResources> {
    return call('grant_resources', { id, resources });
  }

  revokeResource(id: string, resource: string): Promise<UserResources> {
    return call('revoke_resource', { id, resource });
  }

  setLimits(id: string, version: string | null, limits: UserLimits): Promise<UserDetail> {
    return call('set_limits', { id, version, limits });
  }

  userStatistics(id: string): Promise<UserStatistics> {
    return call('user_statistics', { id });
  }

  userEvents(id: string, before: number | null, limit: number | null): Promise<EventsPage> {
    return call('user_events', { id, before, limit });
  }

  auditLog(user: string | null, before: number | null, limit: number | null): Promise<AuditPage> {
    return call('audit_log', { user, before, limit });
  }

  deleteWithTransfer(id: string, request: DeleteRequest): Promise<DeleteOutcome> {
    return call('delete_with_transfer', { id, request });
  }

  createRole(role: NewRole): Promise<Catalogue> {
    return call('create_role', { role });
  }

  updateRole(id: string, role: NewRole): Promise<Catalogue> {
    return call('update_role', { id, role });
  }

  deleteRole(id: string): Promise<Catalogue> {
    return call('delete_role', { id });
  }

  setNotifications(
    id: string,
    version: string | null,
    settings: NotificationSettings,
  ): Promise<UserDetail> {
    return call('set_notifications', { id, version, settings });
  }

  departments(): Promise<DepartmentInfo[]> {
    return call('departments');
  }

  createDepartment(name: string): Promise<DepartmentInfo[]> {
    return call('create_department', { name });
  }

  renameDepartment(name: string, newName: string): Promise<DepartmentInfo[]> {
    return call('rename_department', { name, newName });
  }

  deleteDepartment(name: string): Promise<DepartmentInfo[]> {
    return call('delete_department', { name });
  }

  syncState(): Promise<SyncState> {
    return call('sync_state');
  }

  syncNow(): Promise<void> {
    return call('sync_now');
  }

  cancelSync(): Promise<void> {
    return call('cancel_sync');
  }

  onSyncState(listener: (state: SyncState) => void): Promise<() => void> {
    return listen<SyncState>('sync-state', (event) => listener(event.payload));
  }
}
