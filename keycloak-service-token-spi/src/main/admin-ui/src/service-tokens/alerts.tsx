import { Alert, AlertActionCloseButton, AlertGroup, AlertVariant } from "@patternfly/react-core";
import {
  createContext,
  type PropsWithChildren,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { useTranslation } from "react-i18next";
import { ServiceTokenApiError } from "./api";

// The stock console's alert context is private to the admin-ui bundle, so our pages render the same toast
// group the same way (PatternFly AlertGroup, 8 s, newest first, error_description underneath).
const ALERT_TIMEOUT_MS = 8000;

type AlertEntry = { id: number; message: string; variant: AlertVariant; description?: string };
type Alerts = {
  addAlert: (message: string, variant?: AlertVariant, description?: string) => void;
  addError: (messageKey: string, error: unknown) => void;
};

const AlertContext = createContext<Alerts | undefined>(undefined);

export const useAlerts = () => {
  const alerts = useContext(AlertContext);
  if (!alerts) throw new Error("useAlerts outside ServiceTokenAlerts");
  return alerts;
};

export const ServiceTokenAlerts = ({ children }: PropsWithChildren) => {
  const { t } = useTranslation();
  const [alerts, setAlerts] = useState<AlertEntry[]>([]);
  const nextId = useRef(0);
  const timers = useRef<number[]>([]);
  useEffect(() => () => timers.current.forEach(clearTimeout), []);

  const removeAlert = (id: number) => setAlerts((current) => current.filter((alert) => alert.id !== id));

  const addAlert = useCallback((message: string, variant = AlertVariant.success, description?: string) => {
    const id = nextId.current++;
    setAlerts((current) => [{ id, message, variant, description }, ...current]);
    timers.current.push(window.setTimeout(() => removeAlert(id), ALERT_TIMEOUT_MS));
  }, []);

  const addError = useCallback(
    (messageKey: string, error: unknown) => {
      const message =
        error instanceof ServiceTokenApiError ? error.error : error instanceof Error ? error.message : String(error);
      const description = error instanceof ServiceTokenApiError ? error.description : undefined;
      addAlert(t(messageKey, { error: message }), AlertVariant.danger, description);
    },
    [addAlert, t],
  );

  const value = useMemo(() => ({ addAlert, addError }), [addAlert, addError]);
  return (
    <AlertContext.Provider value={value}>
      <AlertGroup data-testid="global-alerts" isToast style={{ whiteSpace: "pre-wrap" }}>
        {alerts.map(({ id, variant, message, description }, index) => (
          <Alert
            key={id}
            data-testid={index === 0 ? "last-alert" : undefined}
            isLiveRegion
            variant={variant}
            component="p"
            variantLabel=""
            title={message}
            actionClose={<AlertActionCloseButton title={message} onClose={() => removeAlert(id)} />}
          >
            {description && <p>{description}</p>}
          </Alert>
        ))}
      </AlertGroup>
      {children}
    </AlertContext.Provider>
  );
};
