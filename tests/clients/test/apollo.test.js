// Apollo Client 4 against the live gateway: a query, a mutation, a `node` refetch, and one
// cache entry per object however many queries read it.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { CombinedGraphQLErrors, gql } from "@apollo/client";
import { client } from "./env.js";

const VIEWER = gql`
  query Viewer {
    viewer { account { id name role } }
  }
`;
const CREATE_DRAFT = gql`
  mutation CreateDraft($name: String!) {
    createCustomerProfile(
      input: { kind: BUSINESS, friendlyName: $name, notificationEmail: "compliance@acmetelecom.com" }
    ) {
      customerProfile { id status friendlyName }
      userErrors { code field message }
    }
  }
`;
const REFETCH = gql`
  query Refetch($id: ID!) {
    node(id: $id) { id ... on CustomerProfile { friendlyName status } }
  }
`;
const REVIEW_QUEUE = gql`
  query Queue { reviewQueue(first: 10) { totalCount edges { node { id } } } }
`;
const MY_PROFILES = gql`
  query MyProfiles {
    customerProfiles(first: 20) { edges { node { id friendlyName status } } }
  }
`;

const apollo = client();
after(() => apollo.stop());

async function createDraft(name) {
  const { data } = await apollo.mutate({ mutation: CREATE_DRAFT, variables: { name } });
  assert.deepEqual(data.createCustomerProfile.userErrors, []);
  return data.createCustomerProfile.customerProfile;
}

test("a query reads the viewer", async () => {
  // when the viewer is queried
  const { data, error } = await apollo.query({ query: VIEWER });
  // then it is the account whose key the client holds
  assert.equal(error, undefined);
  assert.equal(data.viewer.account.__typename, "Account");
  assert.match(data.viewer.account.id, /^AC[0-9a-f]{32}$/);
  assert.equal(data.viewer.account.role, "CUSTOMER");
});

test("a mutation creates a draft", async () => {
  // when a draft is created
  const profile = await createDraft("Acme draft");
  // then it comes back with its SID, as a draft
  assert.match(profile.id, /^BU[0-9a-f]{32}$/);
  assert.equal(profile.status, "DRAFT");
  assert.equal(profile.friendlyName, "Acme draft");
});

test("node(id:) refetches an object by its SID", async () => {
  // given a draft
  const created = await createDraft("Acme refetch");
  // when it is read back through node(id:), bypassing the cache
  const { data } = await apollo.query({
    query: REFETCH, variables: { id: created.id }, fetchPolicy: "network-only",
  });
  // then it is the same profile
  assert.deepEqual(data.node, {
    __typename: "CustomerProfile", id: created.id, friendlyName: "Acme refetch", status: "DRAFT",
  });
});

test("the cache holds one entry per object, keyed __typename:id", async () => {
  // given a draft read by the list and by node(id:)
  const created = await createDraft("Acme cached");
  await apollo.query({ query: MY_PROFILES, fetchPolicy: "network-only" });
  await apollo.query({ query: REFETCH, variables: { id: created.id }, fetchPolicy: "network-only" });
  // when the normalised cache is inspected
  const key = apollo.cache.identify({ __typename: "CustomerProfile", id: created.id });
  const entries = Object.keys(apollo.cache.extract()).filter((k) => k.includes(created.id));
  // then both queries wrote to the single entry
  assert.equal(key, `CustomerProfile:${created.id}`);
  assert.deepEqual(entries, [key]);
  // and an edit seen by one query shows through the other without a request
  apollo.cache.modify({ id: key, fields: { friendlyName: () => "Acme renamed" } });
  const list = apollo.readQuery({ query: MY_PROFILES });
  const node = list.customerProfiles.edges.map((e) => e.node).find((n) => n.id === created.id);
  assert.equal(node.friendlyName, "Acme renamed");
});

test("a field the account may not read is a top-level error (docs/frontend.md)", async () => {
  // when a customer's client asks for the reviewers' queue
  const asked = apollo.query({ query: REVIEW_QUEUE, fetchPolicy: "network-only" });
  // then the query rejects with the server's GraphQL error, naming the field's path
  await assert.rejects(asked, (error) => {
    assert.ok(CombinedGraphQLErrors.is(error), error);
    assert.deepEqual(
      error.errors.map((e) => [e.message, e.path]),
      [["Only reviewers can do this.", ["reviewQueue"]]],
    );
    return true;
  });
});
