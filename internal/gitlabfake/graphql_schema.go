package gitlabfake

import (
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// graphQLSDL is the part of GitLab's GraphQL schema the fake serves. Type,
// field, argument and enum names, nullability and defaults are GitLab's
// (docs.gitlab.com/api/graphql/reference); fields and arguments the fake
// cannot answer are left out, so asking for them fails validation as an
// unknown field would.
const graphQLSDL = `
schema { query: Query }

"ISO 8601 time, as GitLab's Time scalar renders it."
scalar Time

"Integers beyond 32 bits; serialized as a string, as graphql-ruby does."
scalar BigInt

enum RefType { HEADS TAGS }

enum ProjectArchived { EXCLUDE INCLUDE ONLY }

enum NamespaceProjectSort { SIMILARITY ACTIVITY_DESC }

type Query {
  project(fullPath: ID!): Project
  projects(
    after: String, before: String, first: Int, last: Int,
    ids: [ID!], fullPaths: [String!], search: String, sort: String,
    topics: [String!], archived: ProjectArchived
  ): ProjectConnection
  group(fullPath: ID!): Group
  queryComplexity: QueryComplexity
}

type QueryComplexity {
  limit: Int
  score: Int
}

type PageInfo {
  endCursor: String
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
}

type ProjectConnection {
  count: Int!
  edges: [ProjectEdge]
  nodes: [Project]
  pageInfo: PageInfo!
}

type ProjectEdge {
  cursor: String!
  node: Project
}

type Project {
  archived: Boolean
  createdAt: Time
  description: String
  fullPath: ID!
  group: Group
  httpUrlToRepo: String
  id: ID!
  lastActivityAt: Time
  name: String!
  nameWithNamespace: String!
  namespace: Namespace
  path: String!
  repository: Repository
  sshUrlToRepo: String
  topics: [String!]
  visibility: String
  webUrl: String
}

type Namespace {
  description: String
  fullName: String!
  fullPath: ID!
  id: ID!
  name: String!
  path: String!
  visibility: String
}

type Group {
  description: String
  fullName: String!
  fullPath: ID!
  id: ID!
  name: String!
  parent: Group
  path: String!
  projects(
    includeSubgroups: Boolean = false, includeArchived: Boolean = true,
    notAimedForDeletion: Boolean = false, search: String,
    sort: NamespaceProjectSort, ids: [ID!],
    after: String, before: String, first: Int, last: Int
  ): ProjectConnection!
  visibility: String
  webUrl: String!
}

type Repository {
  blobs(
    paths: [String!]!, ref: String, refType: RefType,
    after: String, before: String, first: Int, last: Int
  ): RepositoryBlobConnection
  empty: Boolean!
  exists: Boolean!
  rootRef: String
  tree(path: String = "", recursive: Boolean = false, ref: String, refType: RefType): Tree
}

type RepositoryBlobConnection {
  edges: [RepositoryBlobEdge]
  nodes: [RepositoryBlob]
  pageInfo: PageInfo!
}

type RepositoryBlobEdge {
  cursor: String!
  node: RepositoryBlob
}

type RepositoryBlob {
  id: ID!
  mode: String
  name: String
  oid: String!
  path: String!
  rawBlob: String
  rawSize: BigInt
  rawTextBlob: String
  size: BigInt
}

type Tree {
  lastCommit: Commit
}

type Commit {
  authorEmail: String
  authorName: String
  authoredDate: Time
  id: ID!
  message: String
  sha: String!
  shortId: String!
  title: String
  webUrl: String!
}
`

var graphQLSchema = gqlparser.MustLoadSchema(&ast.Source{Name: "gitlab.graphql", Input: graphQLSDL})
