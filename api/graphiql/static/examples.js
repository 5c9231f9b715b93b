// The default tab: one example operation for each audience of the API.
window.APPEALS_EXAMPLES = `# Appeals Ledger: one example for each audience.
#
# Run one: press ▶ and pick it by name, or put
# the cursor inside it and press Ctrl-Enter.
#
# All but public statistics need a bearer token:
#   .venv/bin/appeals token issue --role auditor
# (or supervisor; an operator also needs
# --department D). Put it in "Headers" below:
#   {"Authorization": "Bearer <token>"}
# This page does not keep it after a reload.

# The public: open statistics, no token needed.
# Groups too small to publish (fewer than
# APPEALS_SUPPRESS_BELOW appeals) come back as
# suppressed, never as numbers.
query PublicStatistics {
  statistics(groupBy: [CHANNEL]) {
    channel
    suppressed
    count
    onTimeShare
    firstResponseP50
    resolutionP90
  }
}

# An operator: the work queue, nearest due first.
# Narrow it with filter: {overdue: true} (or
# department, status, channel); page on with
# after: "<endCursor>".
query WorkQueue {
  appeals(first: 20, orderBy: DUE_AT_ASC) {
    totalCount
    edges {
      node {
        id
        channel
        receivedAt
        nextDueAt
        overdue
        department
        assignee
        status
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}

# An auditor: the log head, the latest signed
# checkpoint, and the oldest appeal's history with
# each event's Merkle inclusion proof against that
# checkpoint. Before any is signed (see
# "appeals keys generate"), prove against the head:
# variables {"size": <ledger.head.size>}. For one
# appeal: appeal(id: "...") { history { ... } }.
query AuditTrail($size: Int) {
  ledger {
    head {
      size
      root
    }
    checkpoints(limit: 1) {
      size
      root
      time
    }
  }
  appeals(first: 1, orderBy: RECEIVED_AT_ASC) {
    edges {
      node {
        id
        history {
          type
          version
          position
          recordedTime
          actor {
            id
            role
          }
          inclusionProof(checkpointSize: $size) {
            leafIndex
            treeSize
            leafHash
            path
          }
        }
      }
    }
  }
}
`;
