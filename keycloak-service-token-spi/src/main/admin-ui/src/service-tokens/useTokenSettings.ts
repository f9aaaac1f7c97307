import { useEffect, useState } from "react";
import { type TokenSettings, useServiceTokenApi } from "./api";
import { useAlerts } from "./alerts";

/** The realm's service-token policy (default and maximum lifetime…); undefined while loading. */
export function useTokenSettings(): TokenSettings | undefined {
  const api = useServiceTokenApi();
  const { addError } = useAlerts();
  const [settings, setSettings] = useState<TokenSettings>();
  useEffect(() => {
    let current = true;
    api
      .settings()
      .then((loaded) => current && setSettings(loaded))
      .catch((error) => current && addError("serviceTokenSettingsLoadError", error));
    return () => {
      current = false;
    };
  }, [api, addError]);
  return settings;
}
