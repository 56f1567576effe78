using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Data;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Maintenance;

/// <summary>The folder where attachments are kept, one subfolder per ticket.</summary>
public sealed class AttachmentStore(string root)
{
    public string Root { get; } = root;
}

/// <summary>Photos and PDFs on a ticket: the type is what the bytes say, and it must be what the name says.</summary>
public static class AttachmentEndpoints
{
    /// <summary>The types accepted: the name's extension, the content type, and the first bytes of such a file.</summary>
    private static readonly (string[] Extensions, string ContentType, Func<byte[], bool> Looks)[] Types =
    [
        ([".png"], "image/png", b => Starts(b, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])),
        ([".jpg", ".jpeg"], "image/jpeg", b => Starts(b, [0xFF, 0xD8, 0xFF])),
        ([".gif"], "image/gif", b => Starts(b, "GIF87a"u8.ToArray()) || Starts(b, "GIF89a"u8.ToArray())),
        ([".webp"], "image/webp", b => Starts(b, "RIFF"u8.ToArray()) && b.Length >= 12 && b.AsSpan(8, 4).SequenceEqual("WEBP"u8)),
        ([".pdf"], "application/pdf", b => Starts(b, "%PDF-"u8.ToArray())),
    ];

    private static bool Starts(byte[] b, byte[] magic) => b.Length >= magic.Length && b.AsSpan(0, magic.Length).SequenceEqual(magic);

    /// <summary>The content type of a file whose name and bytes agree, or why not (English, Spanish).</summary>
    public static (string? ContentType, string? Error, string? ErrorEs) Check(string fileName, byte[] head)
    {
        var ext = Path.GetExtension(fileName).ToLowerInvariant();
        var named = Types.FirstOrDefault(t => t.Extensions.Contains(ext));
        if (named.ContentType is null)
            return (null, $"Only images (PNG, JPEG, GIF, WebP) and PDF are accepted, not '{ext}'", $"Solo se aceptan imágenes (PNG, JPEG, GIF, WebP) y PDF, no '{ext}'");
        if (!named.Looks(head))
        {
            var actual = Types.FirstOrDefault(t => t.Looks(head)).ContentType;
            return (null, $"The file is named {ext} but its content is {(actual is null ? "not an image or a PDF" : actual)}",
                $"El archivo se llama {ext} pero su contenido {(actual is null ? "no es una imagen ni un PDF" : "es " + actual)}");
        }
        return (named.ContentType, null, null);
    }

    public static IEndpointRouteBuilder MapAttachmentEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/maintenance/tickets/{id:long}/attachments").WithTags("Mantenimiento / IT maintenance");
        g.MapPost("", Upload).RequireAuthorization(Roles.Viewer).DisableAntiforgery().WithName("AttachToTicket")
            .WithSummary("Adjunta una foto o un PDF (multipart, campo file) / Attach an image or a PDF");
        g.MapGet("/{attachmentId:long}", Download).RequireAuthorization(Roles.Viewer).WithName("TicketAttachment")
            .WithSummary("Descarga un adjunto / Download an attachment");
        return app;
    }

    private static async Task<Results<Created<AttachmentView>, ProblemHttpResult>> Upload(long id, HttpRequest request, ClaimsPrincipal user, AppDbContext db,
        AttachmentStore store, IOptions<MaintenanceOptions> options, CancellationToken ct)
    {
        var ticket = await TicketEndpoints.FindVisibleAsync(db, user, id, ct);
        if (!request.HasFormContentType)
            return Problems.BadRequest("Send the file as multipart/form-data in a field named 'file'", "Envíe el archivo como multipart/form-data en un campo llamado 'file'", "file");
        var max = options.Value.MaxAttachmentBytes;
        if (request.ContentLength > max + 64 * 1024)
            return TooLarge(max);
        var form = await request.ReadFormAsync(ct);
        if (form.Files.GetFile("file") is not { } file || file.Length == 0)
            return Problems.BadRequest("Send the file as multipart/form-data in a field named 'file'", "Envíe el archivo como multipart/form-data en un campo llamado 'file'", "file");
        if (file.Length > max)
            return TooLarge(max);
        var name = StorableText.Clean(Path.GetFileName(file.FileName)).Trim();
        if (name.Length is 0 or > 200) return Problems.BadRequest("The file needs a name of up to 200 characters", "El archivo necesita un nombre de hasta 200 caracteres", "file");
        var bytes = new byte[file.Length];
        await using (var s = file.OpenReadStream()) await s.ReadExactlyAsync(bytes, ct);
        var (type, error, errorEs) = Check(name, bytes);
        if (type is null) return Problems.BadRequest(error!, errorEs!, "file");

        var folder = Path.Combine(store.Root, ticket.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        var stored = Path.Combine(ticket.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Guid.NewGuid().ToString("N") + Path.GetExtension(name).ToLowerInvariant());
        await File.WriteAllBytesAsync(Path.Combine(store.Root, stored), bytes, ct);
        var a = new TicketAttachment { TicketId = ticket.Id, FileName = name, ContentType = type, Bytes = bytes.Length, StoredPath = stored, At = DateTime.UtcNow, ById = TicketEndpoints.UserId(user) };
        db.MaintenanceAttachments.Add(a);
        try { await db.SaveChangesAsync(ct); }
        catch { File.Delete(Path.Combine(store.Root, stored)); throw; }
        return TypedResults.Created($"/api/maintenance/tickets/{ticket.Id}/attachments/{a.Id}", new AttachmentView(a.Id, a.FileName, a.ContentType, a.Bytes, a.At));
    }

    private static ProblemHttpResult TooLarge(long max) =>
        TypedResults.Problem(Problems.Create(413, $"An attachment may have at most {max / (1024 * 1024)} MB", $"Un adjunto puede tener a lo más {max / (1024 * 1024)} MB", "file"));

    private static async Task<IResult> Download(long id, long attachmentId, ClaimsPrincipal user, AppDbContext db, AttachmentStore store, CancellationToken ct)
    {
        var ticket = await TicketEndpoints.FindVisibleAsync(db, user, id, ct);
        var a = await db.MaintenanceAttachments.AsNoTracking().FirstOrDefaultAsync(x => x.Id == attachmentId && x.TicketId == ticket.Id, ct);
        if (a is null || !File.Exists(Path.Combine(store.Root, a.StoredPath)))
            return Problems.NotFound($"No attachment {attachmentId} on ticket {id}", $"No hay adjunto {attachmentId} en el ticket {id}");
        return TypedResults.PhysicalFile(Path.Combine(store.Root, a.StoredPath), a.ContentType, a.FileName);
    }
}
