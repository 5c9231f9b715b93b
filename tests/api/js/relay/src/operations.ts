// TEMPLATE ONLY: relay-compiler input used to check that the repo-root
// schema.graphql is consumable by Relay. This file is never executed or
// bundled; relay-compiler only reads the graphql`...` tagged templates.
//
// Rules relay-compiler enforces (it fails the run otherwise):
//  * Operations must live in .ts/.tsx (language "typescript") files inside
//    graphql`...` tags. Bare .graphql operation files under src/ are NOT
//    supported (relay 21 warns "Expected *.graphql/*.gql file to be either a
//    schema or extension" and then panics).
//  * Every operation/fragment name must start with the module (file) name:
//    in operations.ts -> operations<Something>Query / operations<Something>_...
//  * @refetchable fragments (and Relay's node-based refetch in general)
//    need `interface Node { id: ID! }` and `Query.node(id: ID!): Node`.
//  * Custom scalars (DateTime, JSON, ...) map to TS types via
//    "customScalarTypes" in relay.config.json; unmapped ones become `any`.
//
// The query below only uses what every Relay-compatible schema must have
// (the Node interface and Query.node), so it compiles against the real schema
// as soon as that exists. Relay rejects schema-agnostic probes: `__typename`
// on Query and introspection fields (__schema/__type) are both refused.
// Add real operations next to it once the Appeals Ledger schema exists, e.g.:
//
//   export const appealQuery = graphql`
//     query operationsAppealQuery($id: ID!) {
//       node(id: $id) { id ... on Appeal { filedAt } }
//     }
//   `;
//
//   export const appealFragment = graphql`
//     fragment operationsAppealFragment on Appeal
//       @refetchable(queryName: "operationsAppealRefetchQuery") { id }
//   `;

// Stand-in for `import { graphql } from 'relay-runtime'` (relay-runtime is
// not installed: the compiler alone does not need it).
declare function graphql(strings: TemplateStringsArray): unknown;

export const smokeQuery = graphql`
  query operationsNodeSmokeQuery($id: ID!) {
    node(id: $id) {
      id
    }
  }
`;
