package org.servicetokens.keycloak.rest;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** An API error answered as {@code {"error", "error_description"}}; thrown, so validation reads top to bottom. */
public final class ApiError extends WebApplicationException {

    ApiError(int status, String error, String description) {
        super(
                description,
                Response.status(status)
                        .type(MediaType.APPLICATION_JSON_TYPE)
                        .header("Cache-Control", "no-store")
                        .entity(Json.write(body(error, description)))
                        .build());
    }

    static ApiError badRequest(String description) {
        return new ApiError(400, "invalid_request", description);
    }

    static ApiError forbidden(String description) {
        return new ApiError(403, "forbidden", description);
    }

    /** 409: another change to the same token is in progress, or stored state must be fixed first. */
    static ApiError conflict(String description) {
        return new ApiError(409, "conflict", description);
    }

    static ApiError notFound() {
        return new ApiError(404, "not_found", "No service token with that id in this realm");
    }

    private static Map<String, String> body(String error, String description) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", description);
        return body;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // an expected answer, not a fault: no stack trace to build or to log
    }
}
