package org.servicetokens.keycloak.model;

/**
 * What the daily round does to a token unused for {@code days} days: the realm's rule
 * ({@link ServiceTokenSettings#inactivityDays()}, {@link ServiceTokenSettings#inactivityAction()}) or a token's own
 * ({@link ServiceToken#inactivityRule()}).
 *
 * @param days   whole days without a token request, from 0 (the rule is off) to 3650
 * @param action {@code none}, {@code disable} or {@code delete}
 */
public record InactivityRule(int days, ServiceTokenSettings.InactivityAction action) {

    /** True when the rule does something: some days and an action other than {@code none}. */
    public boolean active() {
        return days > 0 && action != ServiceTokenSettings.InactivityAction.none;
    }
}
