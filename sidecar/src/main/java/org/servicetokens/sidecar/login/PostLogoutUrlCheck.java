package org.servicetokens.sidecar.login;

import java.util.List;
import org.servicetokens.sidecar.config.ConfigCheck;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.util.SidecarPaths;

/**
 * {@code login.post-logout-url} given as a path must be one {@link ReturnUrl} would keep (a plain same-origin path),
 * or one of the sidecar's own pages. (Its other shapes are checked with the rest of the login keys.)
 */
public final class PostLogoutUrlCheck implements ConfigCheck {

    @Override
    public void check(SidecarConfig config, List<String> problems) {
        String after = config.login.postLogoutUrl == null ? "" : config.login.postLogoutUrl;
        if (after.startsWith("/")
                && !after.equals(ReturnUrl.sanitize(after))
                && !after.startsWith(SidecarPaths.PREFIX)) {
            problems.add("login.post-logout-url: '" + after + "' is not a plain same-origin path");
        }
    }
}
