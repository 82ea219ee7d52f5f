// A paginated list: @connection needs the Relay cursor connections spec (both directions of
// PageInfo); @refetchable on Query makes it a pagination fragment.
import { graphql } from "react-relay";

export const profileList = graphql`
  fragment ProfileList_query on Query
  @refetchable(queryName: "ProfileListPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 20 }, cursor: { type: "String" }) {
    customerProfiles(first: $count, after: $cursor)
    @connection(key: "ProfileList_customerProfiles") {
      totalCount
      edges {
        node {
          id
          ...ProfileCard_profile
        }
      }
    }
  }
`;
