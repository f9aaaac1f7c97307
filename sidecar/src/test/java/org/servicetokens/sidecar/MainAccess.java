package org.servicetokens.sidecar;

import java.io.PrintStream;

/** Test access to Main's package-private help. */
public final class MainAccess {

    private MainAccess() {}

    public static void help(PrintStream out) {
        Main.help(out);
    }
}
