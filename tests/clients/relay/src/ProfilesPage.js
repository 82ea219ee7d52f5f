// The page's query: spreads the list fragment, as a Relay route does.
import { graphql } from "react-relay";

export const profilesPage = graphql`
  query ProfilesPageQuery {
    ...ProfileList_query
  }
`;
