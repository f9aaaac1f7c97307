import { useRealm } from "@keycloak/keycloak-admin-ui";
import { Tab, Tabs, TabTitleText } from "@patternfly/react-core";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router-dom";
import { toServiceTokens, toServiceTokenSettings } from "./routes";

/** The two tabs of the Service tokens section, the token list and the realm settings; each tab is its own route. */
export const ServiceTokensTabs = ({ active }: { active: "tokens" | "settings" }) => {
  const { t } = useTranslation();
  const { realm } = useRealm();
  const navigate = useNavigate();
  return (
    <Tabs
      activeKey={active}
      onSelect={(_event, key) =>
        key !== active && navigate(key === "settings" ? toServiceTokenSettings(realm) : toServiceTokens(realm))
      }
      className="pf-v5-u-px-sm"
      inset={{ default: "insetNone" }}
    >
      <Tab eventKey="tokens" title={<TabTitleText>{t("serviceTokenList")}</TabTitleText>} data-testid="tab-tokens" />
      <Tab
        eventKey="settings"
        title={<TabTitleText>{t("serviceTokenSettings")}</TabTitleText>}
        data-testid="tab-settings"
      />
    </Tabs>
  );
};
