import { useAdminClient, useRealm } from "@keycloak/keycloak-admin-ui";
import { useMemo } from "react";

/** What the authenticator would do now; "broken" comes with `problems`. */
export type TokenStatus = "active" | "expired" | "disabled" | "broken";

/** Why a token cannot work: `reason` as in the token endpoint's event, `fix` the call that fixes it. */
export type TokenProblem = { reason: string; description: string; fix: "repair" | "extend" | "rotate" | "update" };

/**
 * The use of one secret: the last token request it authenticated (time, the client address Keycloak resolved, the
 * user agent) and an approximate count of requests.
 */
export type SecretUse = { lastUsedAt: string; address?: string; userAgent?: string; count: number };

export type ServiceToken = {
  id: string;
  clientId: string;
  name: string;
  description?: string;
  enabled: boolean;
  status: TokenStatus;
  problems: TokenProblem[];
  repairable: boolean;
  createdAt?: string;
  createdBy?: string;
  expiresAt?: string;
  lastUsedAt?: string;
  previousSecretExpiresAt?: string;
  applications: string[];
  /** The current secret's use; null when it has not been used since it was issued. */
  secretUse?: SecretUse | null;
  /** The previous secret's use during a grace period; null when there is none or it has not been used since the rotation. */
  previousSecretUse?: SecretUse | null;
  /** Allowed client networks (CIDR ranges in normal form); empty: anywhere. */
  networks: string[];
  /** Addresses that get the token's expiry warnings and inactivity notices besides the realm's. */
  owners: string[];
  /** The token's own inactivity rule; both null when the realm's applies. */
  inactivityDays?: number | null;
  inactivityAction?: "none" | "disable" | "delete" | null;
};

/** What PUT /{id} takes; `inactivityAction: "realm"` returns the token to the realm's rule. */
export type TokenUpdate = Partial<
  Pick<ServiceToken, "name" | "description" | "enabled" | "applications" | "networks" | "owners">
> & { inactivityDays?: number; inactivityAction?: "none" | "disable" | "delete" | "realm" };

/** The two answers that carry a secret. Held only by the secret dialog, and only while it is open. */
export type CreatedToken = { id: string; clientId: string; clientSecret: string; expiresAt?: string };
export type RotatedSecret = { clientId: string; clientSecret: string; previousSecretExpiresAt?: string };

export type TokenSettings = {
  defaultDuration: string;
  maxDuration: string;
  expiryWarningDays: number[];
  inactivityDays: number;
  inactivityAction: string;
  notifyEmails: string[];
};

/** An API refusal: `error` and `error_description` as the server sent them. */
export class ServiceTokenApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description?: string,
  ) {
    super(description || error);
    this.name = "ServiceTokenApiError";
  }
}

/**
 * The service-token REST API of the realm being viewed, called with the console's own access token (the same
 * one the stock pages use). Bodies are JSON; a secret only ever travels in a response body, never in a URL.
 */
export function useServiceTokenApi() {
  const { adminClient } = useAdminClient();
  const { realm } = useRealm();

  return useMemo(() => {
    const base = `${adminClient.baseUrl.replace(/\/$/, "")}/admin/realms/${encodeURIComponent(realm)}/service-tokens`;

    async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
      const token = await adminClient.getAccessToken();
      const response = await fetch(base + path, {
        method,
        cache: "no-store",
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      const data: unknown = text ? JSON.parse(text) : undefined;
      if (!response.ok) {
        // An OAuth-style error body ({error, error_description}); anything else reads as the bare status.
        const problem = (data ?? {}) as { error?: string; error_description?: string };
        throw new ServiceTokenApiError(
          response.status,
          problem.error ?? `HTTP ${response.status}`,
          problem.error_description,
        );
      }
      return data as T;
    }

    const id = (tokenId: string) => `/${encodeURIComponent(tokenId)}`;
    return {
      list: (search: string, first: number, max: number) =>
        call<ServiceToken[]>("GET", `?${new URLSearchParams({ search, first: String(first), max: String(max) })}`),
      get: (tokenId: string) => call<ServiceToken>("GET", id(tokenId)),
      create: (body: {
        name: string;
        description?: string;
        duration: string;
        applications: string[];
        networks?: string[];
      }) => call<CreatedToken>("POST", "", body),
      update: (tokenId: string, body: TokenUpdate) => call<ServiceToken>("PUT", id(tokenId), body),
      rotate: (tokenId: string, gracePeriod: string) =>
        call<RotatedSecret>("POST", `${id(tokenId)}/rotate`, { gracePeriod }),
      endGracePeriod: (tokenId: string) =>
        call<ServiceToken>("PUT", `${id(tokenId)}/previous-secret`, { expiresAt: new Date().toISOString() }),
      extend: (tokenId: string, duration: string) => call<ServiceToken>("POST", `${id(tokenId)}/extend`, { duration }),
      repair: (tokenId: string) => call<ServiceToken>("POST", `${id(tokenId)}/repair`),
      revoke: (tokenId: string) => call<void>("DELETE", id(tokenId)),
      settings: () => call<TokenSettings>("GET", "/settings"),
      saveSettings: (settings: TokenSettings) => call<TokenSettings>("PUT", "/settings", settings),
    };
  }, [adminClient, realm]);
}

export type ServiceTokenApi = ReturnType<typeof useServiceTokenApi>;
