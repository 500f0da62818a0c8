import type { ReadModelQueries } from '../../application/ports/readModels/readModels.ts';

/** Queries over two read-model stores: the timeline in one, users and activity in the other. */
export const splitReadModelQueries = (timeline: ReadModelQueries, users: ReadModelQueries): ReadModelQueries => ({
  getJourney: (userId, options) => timeline.getJourney(userId, options),
  getProfile: (userId) => users.getProfile(userId),
  getProfiles: (userIds) => users.getProfiles(userIds),
  stageSummaries: (asOf) => users.stageSummaries(asOf),
  stageSummary: (userId, asOf) => users.stageSummary(userId, asOf),
  stageCounts: (asOf, windowDays) => users.stageCounts(asOf, windowDays),
  countSignups: (after, until) => users.countSignups(after, until),
  searchUsers: (prefix, limit) => users.searchUsers(prefix, limit),
  signupsByDay: (from, to) => users.signupsByDay(from, to),
  activityHistories: (asOf, options) => users.activityHistories(asOf, options),
  latestEventsOf: (userIds, asOf, perUser) => timeline.latestEventsOf(userIds, asOf, perUser),
  profileSnapshot: (userId, asOf, projection) => users.profileSnapshot(userId, asOf, projection),
  journeySnapshot: (userId, upTo, projection) => timeline.journeySnapshot(userId, upTo, projection),
});
