// graphql-ws against the live gateway: subscribe to a profile, submit it over HTTP, and see
// every transition up to the in-process reviewer's decision, in order.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { gql } from "@apollo/client";
import { client } from "./env.js";

const DRAFT = gql`
  mutation Draft {
    createCustomerProfile(
      input: { kind: BUSINESS, friendlyName: "Acme", notificationEmail: "compliance@acmetelecom.com" }
    ) { customerProfile { id } userErrors { code field message } }
  }
`;
const FILL_IN = gql`
  mutation FillIn($id: ID!) {
    updateCustomerProfile(input: {
      id: $id
      business: {
        legalName: "Acme Communications Inc", identity: DIRECT_CUSTOMER, type: CORPORATION,
        industry: TELECOMMUNICATIONS, registrationIdType: EIN, registrationNumber: "12-3456789",
        regionsOfOperation: [USA_AND_CANADA], websiteUrl: "https://acmetelecom.com"
      }
      address: {
        street1: "1 Market St", city: "San Francisco", region: "CA", postalCode: "94105", country: "US"
      }
    }) { userErrors { code field message } }
    addAuthorizedRepresentative(input: {
      profileId: $id, position: 1, firstName: "Grace", lastName: "Hopper",
      email: "grace@acmetelecom.com", phoneNumber: "+14155552671",
      businessTitle: "Chief Executive", jobPosition: CEO
    }) { userErrors { code field message } }
  }
`;
const SUBMIT = gql`
  mutation Submit($id: ID!) {
    submitCustomerProfile(input: { id: $id, acceptTerms: true }) {
      customerProfile { status }
      userErrors { code field message }
    }
  }
`;
const WATCH = gql`
  subscription Watch($id: ID) {
    statusChanged(subjectId: $id) { subjectId previousStatus status sequence }
  }
`;
const EVENTS_TIMEOUT_MS = 15_000;

const apollo = client();
after(() => apollo.stop());

/** The first `count` events of a subscription; resolves once the server has acknowledged it. */
function collect(observable, count) {
  const events = [];
  let subscription;
  const done = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`only ${events.length} of ${count} events: ${JSON.stringify(events)}`)),
      EVENTS_TIMEOUT_MS,
    );
    subscription = observable.subscribe({
      next: ({ data, error }) => {
        if (error) return reject(error);
        events.push(data.statusChanged);
        if (events.length === count) { clearTimeout(timer); resolve(events); }
      },
      error: (e) => { clearTimeout(timer); reject(e); },
    });
  });
  return { done, stop: () => subscription.unsubscribe() };
}

test("statusChanged follows a submitted profile to its decision", async () => {
  // given a complete draft
  const { data } = await apollo.mutate({ mutation: DRAFT });
  const id = data.createCustomerProfile.customerProfile.id;
  const filled = await apollo.mutate({ mutation: FILL_IN, variables: { id } });
  assert.deepEqual(filled.data.updateCustomerProfile.userErrors, []);
  assert.deepEqual(filled.data.addAuthorizedRepresentative.userErrors, []);
  // and a subscription to it over graphql-ws (the protocol acknowledges the connection, not
  // the subscribe: give the socket a moment to open and the gateway to register it)
  const watching = collect(apollo.subscribe({ query: WATCH, variables: { id } }), 3);
  await new Promise((resolve) => setTimeout(resolve, 500));
  // when it is submitted over HTTP
  const submitted = await apollo.mutate({ mutation: SUBMIT, variables: { id } });
  assert.deepEqual(submitted.data.submitCustomerProfile.userErrors, []);
  // then the subscriber sees PENDING_REVIEW, IN_REVIEW, APPROVED in order
  try {
    const events = await watching.done;
    assert.deepEqual(
      events.map((e) => [e.subjectId, e.previousStatus, e.status]),
      [
        [id, "DRAFT", "PENDING_REVIEW"],
        [id, "PENDING_REVIEW", "IN_REVIEW"],
        [id, "IN_REVIEW", "APPROVED"],
      ],
    );
    assert.deepEqual(events.map((e) => e.sequence), [2, 3, 4]);
  } finally {
    watching.stop();
  }
});
