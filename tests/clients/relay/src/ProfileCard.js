// A component's data needs, as a Relay app declares them; relay-compiler checks them against
// the schema (test/relay.test.js). Refetchable: Relay refetches it through node(id:).
import { graphql } from "react-relay";

export const profileCard = graphql`
  fragment ProfileCard_profile on CustomerProfile
  @refetchable(queryName: "ProfileCardRefetchQuery") {
    id
    friendlyName
    status
  }
`;
