import { createInstance, type i18n as I18n } from "i18next";
import FetchBackend from "i18next-fetch-backend";
import { initReactI18next } from "react-i18next";
import { environment } from "./environment";

type KeyValue = { key: string; value: string };

/**
 * The stock console's i18n set-up (not exported by the admin-ui package): messages come from the server, which
 * merges our theme's messages_*.properties over the parent keycloak.v2 bundle, so our keys sit beside the stock ones.
 */
export const i18n: I18n = createInstance({
  fallbackLng: "en",
  keySeparator: ".",
  nsSeparator: false,
  interpolation: { escapeValue: false },
  defaultNS: [environment.realm],
  ns: [environment.realm],
  backend: {
    loadPath: `${environment.adminBaseUrl.replace(/\/$/, "")}/resources/{{ns}}/admin/{{lng}}`,
    parse: (data: string) => {
      const messages = JSON.parse(data) as KeyValue[];
      return Object.fromEntries(messages.map(({ key, value }) => [key, value]));
    },
  },
});

i18n.use(FetchBackend);
i18n.use(initReactI18next);
