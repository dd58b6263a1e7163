using AgentFunctions.Core.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace AgentFunctions.Api.Http;

/// <summary>
/// An artifact served as untrusted content: always an attachment, never sniffed, sandboxed if a
/// browser renders it anyway. Agents write these files; they must not run in the API's origin.
/// </summary>
public sealed class UntrustedDownload(ArtifactContent content, string fileName) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        await using (content)
        {
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = content.Info.ContentType ?? "application/octet-stream";
            response.ContentLength = content.Info.Length;
            var disposition = new ContentDispositionHeaderValue("attachment");
            disposition.SetHttpFileName(fileName);
            response.Headers.ContentDisposition = disposition.ToString();
            response.Headers.XContentTypeOptions = "nosniff";
            response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
            response.Headers.CacheControl = "no-store";
            await content.Content.CopyToAsync(response.Body, httpContext.RequestAborted);
        }
    }
}
