// The operations an operator's frontend sends, written as a Relay app writes them.
// tests/api/test_compliance.py compiles this file with relay-compiler against the
// committed schema.graphql, so a schema change that breaks a frontend fails the build.
//
// relay-compiler only reads the graphql`...` tags; nothing here is executed. Operation
// and fragment names must start with the module name ("operations").

// Stand-in for `import { graphql } from 'relay-runtime'` (the compiler alone needs no runtime).
declare function graphql(strings: TemplateStringsArray): unknown;

// --- Fragments: each component declares the data it renders. ---

export const appealSummary = graphql`
  fragment operationsAppealSummary_appeal on Appeal {
    id
    uuid
    status
    channel
    body
    category
    receivedAt
    nextDueAt
    overdue
  }
`;

export const appealDeadlines = graphql`
  fragment operationsAppealDeadlines_appeal on Appeal {
    extended
    nextDueAt
    dueDates {
      kind
      dueAt
      rule
      countedFrom
      fromAt
      explanation
    }
  }
`;

// One event of an appeal's history, as the history list and the live subscription show it.
export const historyEntry = graphql`
  fragment operationsHistoryEntry_entry on HistoryEntry {
    position
    version
    type
    businessTime
    recordedTime
    actor {
      id
      role
    }
    data
  }
`;

export const appealHistory = graphql`
  fragment operationsAppealHistory_appeal on Appeal {
    history {
      ...operationsHistoryEntry_entry
    }
  }
`;

// Internal notes: staff only, shown beside the history.
export const appealNotes = graphql`
  fragment operationsAppealNotes_appeal on Appeal {
    notes {
      text
      textErased
      at
      author {
        id
        role
      }
    }
  }
`;

// The detail page: refetchable by id through Query.node, so it can reload after a push.
export const appealDetail = graphql`
  fragment operationsAppealDetail_appeal on Appeal
  @refetchable(queryName: "operationsAppealDetailRefetchQuery") {
    id
    version
    position
    status
    text
    textErased
    externalId
    department
    assignee
    outcome
    rating
    reopenCount
    registeredAt
    answeredAt
    closedAt
    citizen {
      name
      contact
      address
      masked
      erased
    }
    answers {
      text
      textErased
      final
      public
    }
    registrationNumber
    location
    forwardedFrom
    forwardReason
    extensionReason
    duplicateOf {
      ...operationsAppealSummary_appeal
    }
    duplicates {
      ...operationsAppealSummary_appeal
    }
    ...operationsAppealSummary_appeal
    ...operationsAppealDeadlines_appeal
    ...operationsAppealHistory_appeal
    ...operationsAppealNotes_appeal
  }
`;

// The work list: a paginated connection, refetched when filters or order change.
export const appealList = graphql`
  fragment operationsAppealList_query on Query
  @argumentDefinitions(
    count: { type: "Int", defaultValue: 20 }
    cursor: { type: "String" }
    filter: { type: "AppealFilterInput" }
    orderBy: { type: "AppealOrder", defaultValue: RECEIVED_AT_DESC }
  )
  @refetchable(queryName: "operationsAppealListPaginationQuery") {
    appeals(first: $count, after: $cursor, filter: $filter, orderBy: $orderBy)
      @connection(key: "operationsAppealList_appeals", filters: ["filter", "orderBy"]) {
      __id
      totalCount
      edges {
        cursor
        node {
          id
          ...operationsAppealSummary_appeal
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

// The operator's queue: paged both ways (Relay's bidirectional pagination), filtered by
// assignee, statuses, due dates and text, and sorted by relevance when searching.
export const appealQueue = graphql`
  fragment operationsAppealQueue_query on Query
  @argumentDefinitions(
    first: { type: "Int", defaultValue: 50 }
    after: { type: "String" }
    last: { type: "Int" }
    before: { type: "String" }
    filter: { type: "AppealFilterInput" }
    orderBy: { type: "AppealOrder", defaultValue: RECEIVED_AT_DESC }
  )
  @refetchable(queryName: "operationsAppealQueuePaginationQuery") {
    appeals(
      first: $first
      after: $after
      last: $last
      before: $before
      filter: $filter
      orderBy: $orderBy
    ) @connection(key: "operationsAppealQueue_appeals", filters: ["filter", "orderBy"]) {
      __id
      totalCount
      edges {
        cursor
        node {
          id
          registrationNumber
          assignee
          location
          ...operationsAppealSummary_appeal
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`;

// A command's answer on the detail page: where it stands in the ledger, and the page's appeal.
export const appealDetailPayload = graphql`
  fragment operationsAppealDetailPayload_payload on AppealPayload {
    position
    appeal {
      ...operationsAppealDetail_appeal
    }
  }
`;

// --- Queries ---

// The desk's frame: who is signed in and the values its filter forms offer.
export const deskQuery = graphql`
  query operationsDeskQuery($body: String!) {
    viewer {
      subject
      role
      body
      department
      personalData
      permissions
    }
    lookups {
      bodies {
        value
        openCount
      }
      departments(body: $body) {
        value
        openCount
      }
      categories {
        value
        count
        openCount
      }
      channels {
        value
        openCount
      }
    }
  }
`;

// "My appeals": the page passes {assignedToMe: true, statuses: [...], dueBefore: ...}.
export const myQueueQuery = graphql`
  query operationsMyQueueQuery($filter: AppealFilterInput, $orderBy: AppealOrder!) {
    ...operationsAppealQueue_query @arguments(filter: $filter, orderBy: $orderBy)
  }
`;

export const appealSearchQuery = graphql`
  query operationsAppealSearchQuery($text: String!, $filter: AppealFilterInput) {
    search: appeals(first: 20, filter: { text: $text }, orderBy: RELEVANCE) {
      edges {
        node {
          id
          ...operationsAppealSummary_appeal
        }
      }
    }
    ...operationsAppealQueue_query @arguments(filter: $filter)
  }
`;

export const appealDetailQuery = graphql`
  query operationsAppealDetailQuery($id: ID!) {
    appeal(id: $id) {
      ...operationsAppealDetail_appeal
    }
  }
`;

export const appealAsOfQuery = graphql`
  query operationsAppealAsOfQuery($id: ID!, $at: DateTime!) {
    appeal(id: $id) {
      id
      asOf(at: $at) {
        status
        version
        department
        assignee
        outcome
        extensionDays
        registrationNumber
      }
    }
  }
`;

export const appealListQuery = graphql`
  query operationsAppealListQuery($filter: AppealFilterInput, $orderBy: AppealOrder!) {
    ...operationsAppealList_query @arguments(filter: $filter, orderBy: $orderBy)
  }
`;

export const dashboardQuery = graphql`
  query operationsDashboardQuery(
    $filter: StatisticsFilterInput
    $groupBy: [Dimension!]
    $period: Period
    $department: String
  ) {
    statistics(filter: $filter, groupBy: $groupBy, period: $period) {
      periodStart
      channel
      department
      count
      suppressed
      onTimeShare
      overdueNow
      averageRating
      firstResponseP50
      resolutionP90
      countsByStatus {
        status
        count
      }
    }
    workload(filter: { department: $department, byAssignee: true }) {
      department
      assignee
      openCount
      overdueCount
      nearestDueAt
      oldestAppealId
      oldestReceivedAt
    }
  }
`;

// --- Mutations: each payload refreshes the fragments the page shows (read-your-writes). ---

// A new appeal goes to the top of every loaded work list.
export const receiveAppealMutation = graphql`
  mutation operationsReceiveAppealMutation(
    $input: ReceiveAppealInput!
    $connections: [ID!]!
  ) {
    receiveAppeal(input: $input) {
      created
      position
      appeal @prependNode(connections: $connections, edgeTypeName: "AppealEdge") {
        id
        ...operationsAppealSummary_appeal
      }
    }
  }
`;

export const assignAppealMutation = graphql`
  mutation operationsAssignAppealMutation($input: AssignAppealInput!) {
    assignAppeal(input: $input) {
      ...operationsAppealDetailPayload_payload
    }
  }
`;

export const answerAppealMutation = graphql`
  mutation operationsAnswerAppealMutation($input: AnswerAppealInput!) {
    answerAppeal(input: $input) {
      ...operationsAppealDetailPayload_payload
    }
  }
`;

export const closeAppealMutation = graphql`
  mutation operationsCloseAppealMutation($input: CloseAppealInput!) {
    closeAppeal(input: $input) {
      position
      appeal {
        id
        status
        outcome
        closedAt
        version
      }
    }
  }
`;

export const addAppealNoteMutation = graphql`
  mutation operationsAddAppealNoteMutation($input: AddAppealNoteInput!) {
    addAppealNote(input: $input) {
      position
      appeal {
        id
        version
        ...operationsAppealNotes_appeal
      }
    }
  }
`;

export const reopenAppealMutation = graphql`
  mutation operationsReopenAppealMutation($input: ReopenAppealInput!) {
    reopenAppeal(input: $input) {
      ...operationsAppealDetailPayload_payload
    }
  }
`;

// --- Subscription: the detail page listens for changes made by anyone else. ---

export const appealEventsSubscription = graphql`
  subscription operationsAppealEventsSubscription($filter: AppealEventFilter) {
    appealEvents(filter: $filter) {
      appealId
      ...operationsHistoryEntry_entry
    }
  }
`;
