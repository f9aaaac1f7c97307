package org.servicetokens.sidecar.policy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.servicetokens.sidecar.identity.Identity;

/**
 * What a rule allows. {@code public}: anyone, no identity needed. {@code authenticated}: any verified caller.
 * Conditions: every listed field must hold (AND), any value within a field suffices (OR); an empty field
 * is not checked. {@code emails} and {@code emailDomains} hold only for an address Keycloak verified
 * ({@code email_verified: true}), compared as {@link EmailAddresses} describes.
 */
public record Access(
        Kind kind,
        Set<Identity.Type> types,
        Set<String> roles,
        Map<String, Set<String>> clientRoles,
        Set<String> groups,
        Set<String> clients,
        Set<String> emails,
        Set<String> emailDomains) {

    public enum Kind {
        PUBLIC,
        AUTHENTICATED,
        CONDITIONS
    }

    public static final Access PUBLIC =
            new Access(Kind.PUBLIC, Set.of(), Set.of(), Map.of(), Set.of(), Set.of(), Set.of(), Set.of());
    public static final Access AUTHENTICATED =
            new Access(Kind.AUTHENTICATED, Set.of(), Set.of(), Map.of(), Set.of(), Set.of(), Set.of(), Set.of());

    public boolean isPublic() {
        return kind == Kind.PUBLIC;
    }

    public boolean allows(Identity id) {
        if (kind != Kind.CONDITIONS) {
            return true;
        }
        if (!types.isEmpty() && !types.contains(id.type())) {
            return false;
        }
        if (!roles.isEmpty() && id.roles().stream().noneMatch(roles::contains)) {
            return false;
        }
        if (!clientRoles.isEmpty() && !anyClientRole(id.clientRoles())) {
            return false;
        }
        if (!groups.isEmpty() && id.groups().stream().map(Access::groupKey).noneMatch(groups::contains)) {
            return false;
        }
        if (!clients.isEmpty() && (id.clientId() == null || !clients.contains(id.clientId()))) {
            return false;
        }
        // Identity.email() is only ever a verified address; EmailAddresses matches plain addresses only.
        if (!emails.isEmpty()) {
            String address = EmailAddresses.address(id.email());
            if (address == null || !emails.contains(address)) {
                return false;
            }
        }
        if (!emailDomains.isEmpty()) {
            String domain = EmailAddresses.domain(id.email());
            return domain != null && emailDomains.contains(domain);
        }
        return true;
    }

    private boolean anyClientRole(Map<String, List<String>> held) {
        for (Map.Entry<String, Set<String>> want : clientRoles.entrySet()) {
            List<String> have = held.get(want.getKey());
            if (have != null && have.stream().anyMatch(want.getValue()::contains)) {
                return true;
            }
        }
        return false;
    }

    /** Keycloak's group claim carries full paths ("/team/ops"); rules may be written with or without the slash. */
    static String groupKey(String group) {
        return group.startsWith("/") ? group : "/" + group;
    }
}
