using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace AgentFunctions.Api.Dashboard;

/// <summary>
/// Writes a dashboard asset with its security and cache headers: a strict Content-Security-Policy (scripts, styles and
/// connections from this origin only; nothing inline; no framing), revalidation on every use against a strong ETag
/// (304 when the browser's copy is current), gzip when the browser takes it.
/// </summary>
public sealed class DashboardAssetResult(DashboardAsset asset) : IResult
{
    /// <summary>No inline script or style, no eval, nothing from another origin, no plugins, no framing, no base or form targets.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var request = httpContext.Request;
        var response = httpContext.Response;
        var gzip = AcceptsGzip(request) && asset.Gzip.Length < asset.Content.Length;
        var etag = gzip ? asset.GzipETag : asset.ETag;
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        // The URLs carry no version, so a browser may keep a copy but asks each time whether it is still current.
        headers.CacheControl = "no-cache";
        headers.ETag = etag;
        headers.Vary = HeaderNames.AcceptEncoding;
        if (NoneMatch(request, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        var body = gzip ? asset.Gzip : asset.Content;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = asset.ContentType;
        response.ContentLength = body.Length;
        if (gzip)
        {
            headers.ContentEncoding = "gzip";
        }

        return HttpMethods.IsHead(request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body, httpContext.RequestAborted).AsTask();
    }

    private static bool AcceptsGzip(HttpRequest request)
    {
        foreach (var value in request.Headers.AcceptEncoding)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var coding in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = coding.Split(';', StringSplitOptions.TrimEntries);
                if (parts[0].Equals("gzip", StringComparison.OrdinalIgnoreCase) && !parts.Skip(1).Any(p => p.Replace(" ", string.Empty, StringComparison.Ordinal) is "q=0" or "q=0.0" or "q=0.00" or "q=0.000"))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool NoneMatch(HttpRequest request, string etag)
    {
        foreach (var value in request.Headers.IfNoneMatch)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var tag in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                // Weak comparison, as If-None-Match uses (RFC 9110 13.1.2).
                if (tag == "*" || (tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag) == etag)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
