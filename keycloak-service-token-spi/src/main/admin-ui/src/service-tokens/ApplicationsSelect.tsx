import { useAdminClient } from "@keycloak/keycloak-admin-ui";
import {
  Button,
  Chip,
  ChipGroup,
  MenuToggle,
  Select,
  SelectList,
  SelectOption,
  TextInputGroup,
  TextInputGroupMain,
  TextInputGroupUtilities,
} from "@patternfly/react-core";
import { TimesIcon } from "@patternfly/react-icons";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";

const SERVICE_TOKEN_AUTHENTICATOR = "service-token";
const MATCHES_SHOWN = 20;

/**
 * Picks the applications (client IDs) a token may reach from the realm's clients, searched as the admin types.
 * Service tokens are clients too, but never an audience, so they are left out.
 */
export const ApplicationsSelect = ({
  id,
  value,
  onChange,
}: {
  id: string;
  value: string[];
  onChange: (applications: string[]) => void;
}) => {
  const { t } = useTranslation();
  const { adminClient } = useAdminClient();
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState("");
  const [options, setOptions] = useState<string[]>([]);

  useEffect(() => {
    let current = true;
    adminClient.clients
      .find({ clientId: filter || undefined, search: true, first: 0, max: MATCHES_SHOWN * 2 })
      .then((clients) => {
        if (!current) return;
        setOptions(
          clients
            .filter((client) => client.clientAuthenticatorType !== SERVICE_TOKEN_AUTHENTICATOR && client.clientId)
            .map((client) => client.clientId!)
            .slice(0, MATCHES_SHOWN),
        );
      })
      .catch(() => current && setOptions([]));
    return () => {
      current = false;
    };
  }, [adminClient, filter]);

  const toggle = (clientId: string) =>
    onChange(value.includes(clientId) ? value.filter((app) => app !== clientId) : [...value, clientId]);

  return (
    <Select
      id={id}
      isOpen={open}
      selected={value}
      onOpenChange={setOpen}
      onSelect={(_event, selection) => {
        toggle(String(selection));
        setFilter("");
      }}
      toggle={(ref) => (
        <MenuToggle ref={ref} variant="typeahead" isFullWidth isExpanded={open} onClick={() => setOpen(!open)}>
          <TextInputGroup isPlain>
            <TextInputGroupMain
              value={filter}
              placeholder={t("serviceTokenApplicationsPlaceholder")}
              data-testid={`${id}-filter`}
              onClick={() => setOpen(!open)}
              onChange={(_event, text) => {
                setFilter(text);
                setOpen(true);
              }}
              autoComplete="off"
            >
              <ChipGroup>
                {value.map((app) => (
                  <Chip
                    key={app}
                    onClick={(event) => {
                      event.stopPropagation();
                      toggle(app);
                    }}
                  >
                    {app}
                  </Chip>
                ))}
              </ChipGroup>
            </TextInputGroupMain>
            {(value.length > 0 || filter) && (
              <TextInputGroupUtilities>
                <Button
                  variant="plain"
                  aria-label={t("clear")}
                  onClick={() => {
                    setFilter("");
                    onChange([]);
                  }}
                >
                  <TimesIcon />
                </Button>
              </TextInputGroupUtilities>
            )}
          </TextInputGroup>
        </MenuToggle>
      )}
    >
      <SelectList>
        {options.length === 0 ? (
          <SelectOption isDisabled>{t("noResultsFound")}</SelectOption>
        ) : (
          options.map((clientId) => (
            <SelectOption
              key={clientId}
              value={clientId}
              hasCheckbox
              isSelected={value.includes(clientId)}
              data-testid={`application-option-${clientId}`}
            >
              {clientId}
            </SelectOption>
          ))
        )}
      </SelectList>
    </Select>
  );
};
