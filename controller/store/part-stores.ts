import type { AccountStore, BuildStore } from './space-store.js';
import type { WebStore } from './web-store.js';

/**
 * The store's three part-stores behind the one `SpaceStore` a caller sees: the users, tokens and
 * organizations, the builds and settings, and what the web UI keeps. `SqliteStore` and
 * `PostgresStore` extend it with the Spaces themselves, each over its own database and dialect.
 */
export abstract class PartStores implements AccountStore, BuildStore, WebStore {
  constructor(
    protected readonly accounts: AccountStore,
    protected readonly builds: BuildStore,
    protected readonly web: WebStore,
  ) {}

  // ---- users, tokens and organizations
  createUser: AccountStore['createUser'] = (name, role) => this.accounts.createUser(name, role);
  getUser: AccountStore['getUser'] = (name) => this.accounts.getUser(name);
  listUsers: AccountStore['listUsers'] = () => this.accounts.listUsers();
  addToken: AccountStore['addToken'] = (user, token) => this.accounts.addToken(user, token);
  findToken: AccountStore['findToken'] = (plaintext) => this.accounts.findToken(plaintext);
  countTokens: AccountStore['countTokens'] = () => this.accounts.countTokens();
  listTokens: AccountStore['listTokens'] = (user) => this.accounts.listTokens(user);
  deleteToken: AccountStore['deleteToken'] = (user, id) => this.accounts.deleteToken(user, id);
  createOrg: AccountStore['createOrg'] = (name, fullname) => this.accounts.createOrg(name, fullname);
  getOrg: AccountStore['getOrg'] = (name) => this.accounts.getOrg(name);
  listOrgs: AccountStore['listOrgs'] = () => this.accounts.listOrgs();
  deleteOrg: AccountStore['deleteOrg'] = (name) => this.accounts.deleteOrg(name);
  setMember: AccountStore['setMember'] = (org, user, role) => this.accounts.setMember(org, user, role);
  removeMember: AccountStore['removeMember'] = (org, user) => this.accounts.removeMember(org, user);
  listMembers: AccountStore['listMembers'] = (org) => this.accounts.listMembers(org);
  membershipsOf: AccountStore['membershipsOf'] = (user) => this.accounts.membershipsOf(user);
  accountNamedIgnoringCase: AccountStore['accountNamedIgnoringCase'] = (name) => this.accounts.accountNamedIgnoringCase(name);
  nameProblems: AccountStore['nameProblems'] = () => this.accounts.nameProblems();

  // ---- builds, releases, secrets and variables
  addBuild: BuildStore['addBuild'] = (build) => this.builds.addBuild(build);
  getBuild: BuildStore['getBuild'] = (id) => this.builds.getBuild(id);
  setBuildState: BuildStore['setBuildState'] = (id, state) => this.builds.setBuildState(id, state);
  latestBuild: BuildStore['latestBuild'] = (spaceUid) => this.builds.latestBuild(spaceUid);
  listBuilds: BuildStore['listBuilds'] = (spaceUid, limit) => this.builds.listBuilds(spaceUid, limit);
  unfinishedBuilds: BuildStore['unfinishedBuilds'] = () => this.builds.unfinishedBuilds();
  addRelease: BuildStore['addRelease'] = (release) => this.builds.addRelease(release);
  getRelease: BuildStore['getRelease'] = (id) => this.builds.getRelease(id);
  setReleaseFailure: BuildStore['setReleaseFailure'] = (id, failure) => this.builds.setReleaseFailure(id, failure);
  listSettings: BuildStore['listSettings'] = (spaceUid, kind) => this.builds.listSettings(spaceUid, kind);
  upsertSetting: BuildStore['upsertSetting'] = (spaceUid, kind, setting) => this.builds.upsertSetting(spaceUid, kind, setting);
  deleteSetting: BuildStore['deleteSetting'] = (spaceUid, kind, key) => this.builds.deleteSetting(spaceUid, kind, key);

  // ---- sign-in for people and the gallery
  setPasswordHash: WebStore['setPasswordHash'] = (user, hash) => this.web.setPasswordHash(user, hash);
  getPasswordHash: WebStore['getPasswordHash'] = (user) => this.web.getPasswordHash(user);
  findUserByOidcSubject: WebStore['findUserByOidcSubject'] = (subject) => this.web.findUserByOidcSubject(subject);
  linkOidcSubject: WebStore['linkOidcSubject'] = (user, subject) => this.web.linkOidcSubject(user, subject);
  createWebSession: WebStore['createWebSession'] = (idHash, session) => this.web.createWebSession(idHash, session);
  getWebSession: WebStore['getWebSession'] = (idHash, now) => this.web.getWebSession(idHash, now);
  deleteWebSession: WebStore['deleteWebSession'] = (idHash) => this.web.deleteWebSession(idHash);
  querySpaces: WebStore['querySpaces'] = (q) => this.web.querySpaces(q);
  setLike: WebStore['setLike'] = (spaceUid, user, liked) => this.web.setLike(spaceUid, user, liked);
  trendingScoreOf: WebStore['trendingScoreOf'] = (spaceUid) => this.web.trendingScoreOf(spaceUid);
  likesOf: WebStore['likesOf'] = (user, scope) => this.web.likesOf(user, scope);
  likersOf: WebStore['likersOf'] = (spaceUid) => this.web.likersOf(spaceUid);
}
