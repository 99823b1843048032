/**
 * The role and permission catalogue the in-memory fake serves: the same
 * shape and ids as the reference server's default catalogue (roles Owner …
 * Guest, applications with "app:perm" permissions, case-handler actions as
 * sub-permissions), so UI tests exercise realistic data.
 */
import type { ApplicationInfo } from './bindings/ApplicationInfo';
import type { Catalogue } from './bindings/Catalogue';
import type { PermissionInfo } from './bindings/PermissionInfo';
import type { RoleInfo } from './bindings/RoleInfo';

/** How far down the role ladder a permission reaches. */
const Tier = { Own: 0, View: 1, Work: 2, Manage: 3 } as const;
type Tier = (typeof Tier)[keyof typeof Tier];

interface PermDef {
  id: string;
  name: string;
  description: string;
  parent?: string;
  tier: Tier;
}

interface AppDef {
  id: string;
  name: string;
  description: string;
  accountSetting: boolean;
  permissions: PermDef[];
}

const APPLICATIONS: AppDef[] = [
  {
    id: 'profile',
    name: 'Profile settings',
    description: 'Your own name, password, language, time zone and notification preferences.',
    accountSetting: false,
    permissions: [
      {
        id: 'profile:view',
        name: 'View own profile',
        tier: Tier.Own,
        description: 'See your own profile, sign-in history and notification settings.',
      },
      {
        id: 'profile:edit',
        name: 'Edit own profile',
        tier: Tier.Own,
        description:
          'Change your own password, language, time zone and notification preferences. Only an admin can change your name or e-mail address.',
      },
    ],
  },
  {
    id: 'cases',
    name: 'Cases',
    description: 'Reports received through the reporting channels, handled as cases.',
    accountSetting: false,
    permissions: [
      {
        id: 'cases:view',
        name: 'View cases',
        tier: Tier.View,
        description:
          'Open and read the cases shared with you, with their messages and attachments.',
      },
      {
        id: 'cases:create',
        name: 'Register cases',
        tier: Tier.Work,
        description: 'Register a new case by hand, for example for a report received by phone.',
      },
      {
        id: 'cases:handle',
        name: 'Handle cases',
        tier: Tier.Work,
        description:
          'Work on the cases assigned to you as a case handler. The actions allowed inside a case are chosen below.',
      },
      {
        id: 'cases:comment',
        parent: 'cases:handle',
        name: 'Comment and message',
        tier: Tier.Work,
        description: 'Write internal notes on a case and reply to the person who reported it.',
      },
      {
        id: 'cases:assign',
        parent: 'cases:handle',
        name: 'Assign case handlers',
        tier: Tier.Work,
        description: 'Add or remove case handlers on a case you handle.',
      },
      {
        id: 'cases:close',
        parent: 'cases:handle',
        name: 'Close and reopen',
        tier: Tier.Work,
        description: 'Close a case when it is resolved, or reopen a closed case.',
      },
      {
        id: 'cases:delete',
        parent: 'cases:handle',
        name: 'Delete case',
        tier: Tier.Manage,
        description: 'Permanently delete a case and everything in it. This cannot be undone.',
      },
    ],
  },
  {
    id: 'statistics',
    name: 'Statistics',
    description: 'Dashboards and reports about cases, tasks, credit usage and activity.',
    accountSetting: false,
    permissions: [
      {
        id: 'statistics:view',
        name: 'View statistics',
        tier: Tier.View,
        description: 'See the dashboards and reports for the work you have access to.',
      },
      {
        id: 'statistics:export',
        name: 'Download reports',
        tier: Tier.View,
        description: 'Download statistics as CSV or PDF reports.',
      },
      {
        id: 'statistics:view-all',
        name: "View everyone's statistics",
        tier: Tier.Manage,
        description: 'See statistics, credit usage and event costs for every user.',
      },
    ],
  },
  {
    id: 'categories',
    name: 'Categories and departments',
    description: 'The categories cases are filed under and the departments users belong to.',
    accountSetting: false,
    permissions: [
      {
        id: 'categories:view',
        name: 'View categories and departments',
        tier: Tier.View,
        description: 'See the list of categories and departments.',
      },
      {
        id: 'categories:manage',
        name: 'Add and remove categories and departments',
        tier: Tier.Manage,
        description:
          'Create, rename and remove categories and departments. Removing one does not delete its cases or users.',
      },
    ],
  },
  {
    id: 'tasks',
    name: 'Tools and tasks',
    description: 'The tools of the account and the tasks run with them.',
    accountSetting: false,
    permissions: [
      {
        id: 'tasks:view',
        name: 'View tasks',
        tier: Tier.View,
        description: 'See the tasks shared with you and their latest results.',
      },
      {
        id: 'tasks:execute',
        name: 'Run tasks',
        tier: Tier.Work,
        description:
          "Run or update a task. Each run spends credits from the account's balance, within your credit limit.",
      },
      {
        id: 'tasks:create',
        name: 'Create tasks',
        tier: Tier.Work,
        description:
          'Create new tasks with the tools you have access to. Creating a task spends credits.',
      },
      {
        id: 'tasks:delete',
        name: 'Delete tasks',
        tier: Tier.Manage,
        description: 'Delete a task together with its results and reports.',
      },
    ],
  },
  {
    id: 'reviews',
    name: 'Reviews',
    description: 'Documents and artwork circulated for comments and approval.',
    accountSetting: false,
    permissions: [
      {
        id: 'reviews:view',
        name: 'View reviews',
        tier: Tier.View,
        description: 'Open the reviews shared with you and download their files.',
      },
      {
        id: 'reviews:approve',
        name: 'Approve',
        tier: Tier.Work,
        description: 'Approve a review or request changes to it.',
      },
      {
        id: 'reviews:share',
        name: 'Share reviews',
        tier: Tier.Work,
        description: 'Share a review with other users or with guests outside the account.',
      },
    ],
  },
  {
    id: 'users',
    name: 'User management',
    description: 'The people who can sign in to the account, their roles and their permissions.',
    accountSetting: true,
    permissions: [
      {
        id: 'users:view',
        name: 'View users',
        tier: Tier.Manage,
        description: 'See every user of the account with their role, status and history.',
      },
      {
        id: 'users:invite',
        name: 'Invite users',
        tier: Tier.Manage,
        description: 'Invite new users by e-mail, and resend or revoke pending invitations.',
      },
      {
        id: 'users:edit',
        name: 'Edit users',
        tier: Tier.Manage,
        description:
          "Change users' details, roles and permissions. You can only grant what you hold yourself.",
      },
      {
        id: 'users:reset-password',
        name: 'Reset passwords',
        tier: Tier.Manage,
        description: 'Send a user a link to set a new password.',
      },
      {
        id: 'users:archive',
        name: 'Archive and reactivate users',
        tier: Tier.Manage,
        description: 'Archive a user so they can no longer sign in while their data is kept.',
      },
      {
        id: 'users:delete',
        name: 'Delete users',
        tier: Tier.Manage,
        description: 'Delete a user, with their resources or after transferring them.',
      },
    ],
  },
  {
    id: 'security',
    name: 'Security settings',
    description: 'Sign-in rules for the whole account and the audit log of administrator actions.',
    accountSetting: true,
    permissions: [
      {
        id: 'security:view',
        name: 'View security settings',
        tier: Tier.Manage,
        description: 'See the password policy, two-step verification and allowed IP ranges.',
      },
      {
        id: 'security:audit-log',
        name: 'View audit log',
        tier: Tier.Manage,
        description: 'Read and export the account-wide log of administrator actions.',
      },
      {
        id: 'configuration:edit',
        name: 'Edit configuration and roles',
        tier: Tier.Manage,
        description: 'Change account settings and define custom roles.',
      },
    ],
  },
  {
    id: 'billing',
    name: 'Billing and subscription',
    description:
      "The account's subscription, credit balance and invoices. Only the Owner has access.",
    accountSetting: true,
    permissions: [
      {
        id: 'billing:view-invoices',
        name: 'View invoices',
        tier: Tier.Manage,
        description: "See and download the account's invoices and payment history.",
      },
      {
        id: 'billing:manage-credits',
        name: 'Buy credits',
        tier: Tier.Manage,
        description:
          "Buy credits for the account. Every user's spending is charged to this balance.",
      },
    ],
  },
];

interface RoleDef {
  id: string;
  name: string;
  description: string;
  ceiling: (app: AppDef, tier: Tier) => boolean;
}

const ROLES: RoleDef[] = [
  {
    id: 'owner',
    name: 'Owner',
    description:
      'The person who created the account. Holds every permission; cannot be archived or deleted, and ownership cannot be transferred.',
    ceiling: () => true,
  },
  {
    id: 'admin',
    name: 'Admin',
    description:
      'Full access to every application, including user management and account settings; billing stays with the Owner.',
    ceiling: (app) => app.id !== 'billing',
  },
  {
    id: 'manager',
    name: 'Manager',
    description:
      'Works with all resources of all applications, without account-level settings such as billing or user management.',
    ceiling: (app) => !app.accountSetting,
  },
  {
    id: 'member',
    name: 'Member',
    description:
      'Creates, edits and runs what they are granted, and sees what is shared with them.',
    ceiling: (app, tier) => !app.accountSetting && tier <= Tier.Work,
  },
  {
    id: 'viewer',
    name: 'Viewer',
    description: 'Views and downloads the resources and reports shared with them.',
    ceiling: (app, tier) => !app.accountSetting && tier <= Tier.View,
  },
  {
    id: 'guest',
    name: 'Guest',
    description:
      'Someone outside the organisation who can only view the resources shared with them.',
    ceiling: (app, tier) => !app.accountSetting && tier <= Tier.View,
  },
];

export const DEPARTMENTS = [
  'Finance',
  'Human Resources',
  'Legal & Compliance',
  'Customer Success',
  'Engineering',
  'Marketing',
  'Sales — EMEA',
  'Operations',
  'Research & Development',
  'Procurement',
  'Facilities',
  'Qualité et sécurité',
];

function permissionInfo(perm: PermDef): PermissionInfo {
  return {
    id: perm.id,
    name: perm.name,
    description: perm.description,
    parent: perm.parent ?? null,
  };
}

function applicationInfo(app: AppDef): ApplicationInfo {
  return {
    id: app.id,
    name: app.name,
    description: app.description,
    permissions: app.permissions.map(permissionInfo),
  };
}

function roleInfo(role: RoleDef): RoleInfo {
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    permissions: APPLICATIONS.flatMap((app) =>
      app.permissions.filter((perm) => role.ceiling(app, perm.tier)).map((perm) => perm.id),
    ),
    assignable: role.id !== 'owner',
    // The fake's catalogue() says what the signed-in administrator may grant.
    grantable: role.id !== 'owner',
    notGrantableReason: null,
    custom: false,
  };
}

/** A fresh copy each time, so a test can change its own without leaking. */
export function fakeCatalogue(): Catalogue {
  return {
    roles: ROLES.map(roleInfo),
    applications: APPLICATIONS.map(applicationInfo),
    departments: [...DEPARTMENTS],
  };
}
