// The app side of Twitchlog's sync: WatermelonDB's synchronize() against /api/v1/sync/.
// This is the code docs/api.md shows; the end-to-end tests run exactly this file.
const { synchronize } = require('@nozbe/watermelondb/sync')

// A push refused because a record changed on the server since our last pull (HTTP 409).
class SyncConflict extends Error {}

async function twitchlogSync({ database, baseUrl, token, log, fetch = globalThis.fetch }) {
  const headers = { Authorization: `Token ${token}`, 'Content-Type': 'application/json' }
  await synchronize({
    database,
    log,
    // The first schema version that shipped: the server answers migration syncs from there on.
    migrationsEnabledAtVersion: 1,
    pullChanges: async ({ lastPulledAt, schemaVersion, migration }) => {
      const params =
        `last_pulled_at=${lastPulledAt}&schema_version=${schemaVersion}` +
        `&migration=${encodeURIComponent(JSON.stringify(migration))}`
      const response = await fetch(`${baseUrl}/api/v1/sync/?${params}`, { headers })
      if (!response.ok) {
        throw new Error(`pull failed (${response.status}): ${await response.text()}`)
      }
      const { changes, timestamp } = await response.json()
      return { changes, timestamp }
    },
    pushChanges: async ({ changes, lastPulledAt }) => {
      const response = await fetch(`${baseUrl}/api/v1/sync/?last_pulled_at=${lastPulledAt}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(changes),
      })
      if (response.status === 409) {
        throw new SyncConflict(await response.text())
      }
      if (!response.ok) {
        throw new Error(`push failed (${response.status}): ${await response.text()}`)
      }
    },
  })
}

// WatermelonDB's advice: retry once. A 409 means someone else changed a record we are pushing;
// the second synchronize() pulls their change first (our changed columns win locally) and pushes again.
async function syncWithRetry(options) {
  try {
    await twitchlogSync(options)
  } catch (error) {
    if (!(error instanceof SyncConflict)) throw error
    await twitchlogSync(options)
  }
}

module.exports = { twitchlogSync, syncWithRetry, SyncConflict }
