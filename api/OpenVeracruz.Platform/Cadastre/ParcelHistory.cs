using NetTopologySuite.Geometries;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Cadastre;

/// <summary>Kinds of cadastral edit.</summary>
public static class EditKind
{
    public const string Create = "create", Attributes = "attributes", Reshape = "reshape", Split = "split", Merge = "merge", Retire = "retire";
    public static readonly string[] All = [Create, Attributes, Reshape, Split, Merge, Retire];
    /// <summary>Change kind of the versions a tariff change writes; not an edit anyone proposes.</summary>
    public const string Revaluation = "revaluation";
}

/// <summary>
/// A full snapshot of a parcel, valid from <see cref="ValidFrom"/> until <see cref="ValidTo"/> (null: current).
/// Append-only: an edit closes the current version and adds the next one in the same transaction.
/// </summary>
public sealed class ParcelVersion
{
    public long Id { get; private set; }
    public long ParcelId { get; private set; }
    public string Clave { get; private set; } = "";
    public int Version { get; private set; }
    public int Zone { get; private set; }
    public int Block { get; private set; }
    public int Lot { get; private set; }
    public string LocalityCvegeo { get; private set; } = "";
    public string LocalityName { get; private set; } = "";
    public string LandUse { get; private set; } = "";
    public double LandAreaM2 { get; private set; }
    public double BuiltAreaM2 { get; private set; }
    public string ValuationZoneCode { get; private set; } = "";
    public string ConstructionTypeCode { get; private set; } = "";
    public decimal LandValue { get; private set; }
    public decimal ConstructionValue { get; private set; }
    public decimal CadastralValue { get; private set; }
    public Polygon Geom { get; private set; } = Polygon.Empty;
    public DateTime ValidFrom { get; private set; }
    public DateTime? ValidTo { get; private set; }
    public string ChangeKind { get; private set; } = "";
    public long? EditId { get; private set; }
    public string? Reason { get; private set; }
    public string? SourceDocument { get; private set; }
    public string? ProposedBy { get; private set; }
    public string? ApprovedBy { get; private set; }
    public DateTime? ApprovedAt { get; private set; }

    private ParcelVersion() { }

    public static ParcelVersion Of(Parcel p, ParcelEdit edit, DateTime at) => new()
    {
        ParcelId = p.Id, Clave = p.Clave, Version = p.Version, Zone = p.Zone, Block = p.Block, Lot = p.Lot,
        LocalityCvegeo = p.LocalityCvegeo, LocalityName = p.LocalityName, LandUse = p.LandUse,
        LandAreaM2 = p.LandAreaM2, BuiltAreaM2 = p.BuiltAreaM2, ValuationZoneCode = p.ValuationZoneCode,
        ConstructionTypeCode = p.ConstructionTypeCode, LandValue = p.LandValue, ConstructionValue = p.ConstructionValue,
        CadastralValue = p.CadastralValue, Geom = p.Geom, ValidFrom = at, ChangeKind = edit.Kind, EditId = edit.Id,
        Reason = edit.Reason, SourceDocument = edit.SourceDocument, ProposedBy = edit.ProposedBy,
        ApprovedBy = edit.DecidedBy, ApprovedAt = edit.DecidedAt,
    };

    /// <summary>Ends the validity of this version.</summary>
    public void Close(DateTime at)
    {
        if (ValidTo is not null) throw new InvalidOperationException($"version {Version} of {Clave} is already closed");
        ValidTo = at;
    }
}

/// <summary>Parent → child link left by a split or a merge.</summary>
public sealed class ParcelLineage
{
    public long Id { get; set; }
    public long ParentParcelId { get; set; }
    public long ChildParcelId { get; set; }
    public long EditId { get; set; }
}

/// <summary>
/// A proposed change to the cadastre, applied only when another staff member approves it (four eyes). States:
/// pending → approved | rejected | superseded (another approved edit changed or retired one of its parcels first:
/// set by <see cref="ParcelEditor.SupersedeStaleAsync"/>). Only a pending edit can be decided.
/// </summary>
public sealed class ParcelEdit
{
    public const string Pending = "pending", Approved = "approved", Rejected = "rejected", Superseded = "superseded";
    public static readonly string[] States = [Pending, Approved, Rejected, Superseded];

    public long Id { get; private set; }
    public string Kind { get; private set; } = "";
    public string[] TargetClaves { get; private set; } = [];
    public int[] BaseVersions { get; private set; } = [];
    /// <summary>The change itself (attributes, GeoJSON geometry, split line, new clave) as JSON.</summary>
    public string Payload { get; private set; } = "{}";
    public string Reason { get; private set; } = "";
    public string? SourceDocument { get; private set; }
    public string State { get; private set; } = Pending;
    public string ProposedBy { get; private set; } = "";
    public DateTime ProposedAt { get; private set; }
    public string? DecidedBy { get; private set; }
    public DateTime? DecidedAt { get; private set; }
    public string? RejectionReason { get; private set; }

    private ParcelEdit() { }

    public static ParcelEdit Propose(string kind, string[] targets, int[] baseVersions, string payload, string reason, string? sourceDocument, string proposedBy, DateTime at)
    {
        if (!EditKind.All.Contains(kind))
            throw new DomainRuleException($"Unknown edit kind '{kind}'", $"Tipo de edición desconocido: '{kind}'");
        if (string.IsNullOrWhiteSpace(reason))
            throw new DomainRuleException("Every edit needs a reason", "Toda edición necesita un motivo");
        if (targets.Length != baseVersions.Length)
            throw new InvalidOperationException("one base version per target");
        return new ParcelEdit
        {
            Kind = kind, TargetClaves = targets, BaseVersions = baseVersions, Payload = payload, Reason = reason.Trim(),
            SourceDocument = string.IsNullOrWhiteSpace(sourceDocument) ? null : sourceDocument.Trim(), ProposedBy = proposedBy, ProposedAt = at,
        };
    }

    private void Decide(string by, DateTime at)
    {
        if (State != Pending)
        {
            var es = State switch { Approved => "aprobada", Rejected => "rechazada", _ => "sustituida" };
            var why = RejectionReason is null ? "" : $" ({RejectionReason})";
            throw new DomainRuleException($"Edit {Id} is no longer pending: it was already {State} by {DecidedBy}{why}",
                $"La edición {Id} ya no está pendiente: ya fue {es} por {DecidedBy}{why}");
        }
        if (by == ProposedBy)
            throw new DomainRuleException("Nobody approves or rejects their own edit: another supervisor must decide",
                "Nadie aprueba ni rechaza su propia edición: debe decidir otro supervisor");
        DecidedBy = by;
        DecidedAt = at;
    }

    /// <summary>
    /// Approves a pending edit. A superseded edit answers 412 like the loser of a parallel approval, which is what it
    /// is: whether the loser reads its edit before or after the winner marked it superseded must not change the answer.
    /// </summary>
    public void Approve(string by, DateTime at)
    {
        if (State == Superseded)
            throw new PreconditionException(
                $"Edit {Id} was superseded ({RejectionReason}): its parcels changed since it was proposed; propose it again on their current version",
                $"La edición {Id} fue sustituida ({RejectionReason}): sus predios cambiaron desde que se propuso; vuelva a proponerla sobre su versión actual");
        Decide(by, at);
        State = Approved;
    }

    public void Reject(string by, DateTime at, string reason)
    {
        if (string.IsNullOrWhiteSpace(reason))
            throw new DomainRuleException("A rejection needs a reason", "El rechazo necesita un motivo");
        Decide(by, at);
        State = Rejected;
        RejectionReason = reason.Trim();
    }
}

/// <summary>Who looked at the owner of which parcel, and when (private).</summary>
public sealed class OwnerAccess
{
    public long Id { get; set; }
    public required string UserId { get; set; }
    public required string UserEmail { get; set; }
    public long ParcelId { get; set; }
    public required string Clave { get; set; }
    public DateTime At { get; set; }
}
