"""The GraphQL API: types, resolvers, limits and the HTTP view."""
