using System.Diagnostics;
using AgentFunctions.Api.Engine;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Security;
using AgentFunctions.Core.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace AgentFunctions.Api.Http;

/// <summary>RFC 9457 problem+json answers with a clear <c>detail</c>.</summary>
public static class ApiProblems
{
    public static IResult BadRequest(string detail) => Problem(StatusCodes.Status400BadRequest, "Bad request", detail);

    public static IResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "Not found", detail);

    public static IResult Conflict(string detail) => Problem(StatusCodes.Status409Conflict, "Conflict", detail);

    public static IResult Gone(string detail) => Problem(StatusCodes.Status410Gone, "Gone", detail);

    public static IResult TooLarge(string detail) => Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", detail);

    public static IResult UnsupportedMediaType(string detail) => Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", detail);

    public static IResult Unauthorized(string detail) => Problem(StatusCodes.Status401Unauthorized, "Unauthorized", detail);

    public static IResult Forbidden(string detail) => Problem(StatusCodes.Status403Forbidden, "Forbidden", detail);

    /// <summary>400 (or 413 when every problem is a size limit) listing each field's problem under <c>errors</c>.</summary>
    public static IResult Invalid(IReadOnlyList<FieldError> errors, string what)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var tooLarge = errors.Count > 0 && errors.All(e => e.TooLarge);
        var detail = errors.Count == 1
            ? $"{what}: {errors[0]}"
            : $"{what} has {errors.Count} problems: {string.Join("; ", errors)}";
        var extensions = new Dictionary<string, object?>
        {
            ["errors"] = errors.Select(e => new FieldProblem(e.Field, e.Message)).ToList(),
        };
        return tooLarge
            ? Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", detail, extensions)
            : Problem(StatusCodes.Status400BadRequest, "Validation failed", detail, extensions);
    }

    /// <summary>
    /// 422: the spec carries secrets (<c>Security:SecretScan</c> = Reject). <c>findings</c> lists the field, kind and
    /// position of each; the secret itself is never repeated.
    /// </summary>
    public static IResult SecretsFound(IReadOnlyList<SecretFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var extensions = new Dictionary<string, object?> { ["findings"] = findings };
        return Problem(StatusCodes.Status422UnprocessableEntity, "Secret detected", SecretScreening.Describe(findings), extensions);
    }

    public static IResult Problem(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: TypeOf(status), extensions: extensions);

    /// <summary>
    /// The RFC section of the statuses ASP.NET Core has no default <c>type</c> for (it fills in the others), so every
    /// problem carries one.
    /// </summary>
    private static string? TypeOf(int status) => status switch
    {
        StatusCodes.Status410Gone => "https://tools.ietf.org/html/rfc9110#section-15.5.11",
        StatusCodes.Status413PayloadTooLarge => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        StatusCodes.Status429TooManyRequests => "https://tools.ietf.org/html/rfc6585#section-4",
        StatusCodes.Status507InsufficientStorage => "https://tools.ietf.org/html/rfc4918#section-11.5",
        _ => null,
    };

    /// <summary>
    /// The answer to an exception no handler turned into one, the same in both hosts (the Standalone server's exception
    /// handler and every Functions HTTP trigger call this). A request the server could not read (Kestrel's
    /// <see cref="BadHttpRequestException"/>: a body over the limit, a body cut short, a body too slow) keeps its status
    /// and says why; an engine that cannot take it now is 503 and one whose storage is full 507, both with Retry-After;
    /// anything else is 500 with the trace id under which the host logged it; its message stays in the log, since it
    /// may show internals.
    /// </summary>
    public static IResult ForException(Exception exception, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(context);
        switch (exception)
        {
            case BadHttpRequestException bad:
                return Problem(bad.StatusCode, ReasonPhrases.GetReasonPhrase(bad.StatusCode), bad.Message);
            case EngineUnavailableException unavailable:
                context.Response.Headers.RetryAfter = RetryAfterSeconds(unavailable.RetryAfter);
                return Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", unavailable.Message);
            case InsufficientStorageException full:
                context.Response.Headers.RetryAfter = RetryAfterSeconds(InsufficientStorageException.RetryAfter);
                return Problem(StatusCodes.Status507InsufficientStorage, "Insufficient storage", full.Message);
        }

        var traceId = TraceIdOf(context);
        return Problem(
            StatusCodes.Status500InternalServerError,
            ReasonPhrases.GetReasonPhrase(StatusCodes.Status500InternalServerError),
            $"the server failed to answer {context.Request.Method} {context.Request.Path}; the error is logged with trace id {traceId}",
            new Dictionary<string, object?> { ["traceId"] = traceId });
    }

    /// <summary>A Retry-After value in whole seconds (at least one).</summary>
    public static string RetryAfterSeconds(TimeSpan delay) =>
        Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The id a 500 answer names and the host logs the failure under.</summary>
    public static string TraceIdOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Activity.Current?.Id ?? context.TraceIdentifier;
    }
}
