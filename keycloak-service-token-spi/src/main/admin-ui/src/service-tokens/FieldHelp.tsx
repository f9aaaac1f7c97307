import { FormHelperText, HelperText, HelperTextItem } from "@patternfly/react-core";
import type { ReactNode } from "react";

/** The help line under a form field; with `isError` it shows as the field's error instead. */
export const FieldHelp = ({
  id,
  isError = false,
  testId,
  children,
}: {
  id?: string;
  isError?: boolean;
  testId?: string;
  children: ReactNode;
}) => (
  <FormHelperText>
    <HelperText id={id}>
      <HelperTextItem variant={isError ? "error" : "default"} data-testid={testId}>
        {children}
      </HelperTextItem>
    </HelperText>
  </FormHelperText>
);
