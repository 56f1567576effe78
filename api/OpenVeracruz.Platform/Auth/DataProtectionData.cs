using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenVeracruz.Platform.Data;

/// <summary>
/// The Data Protection key ring (the keys of staff cookies and antiforgery tokens) in the database, one for every API
/// instance: a cookie issued by one instance is accepted by the others (docs/SCALING.md).
/// </summary>
public sealed partial class AppDbContext : IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
}

internal sealed class DataProtectionKeyConfig : IEntityTypeConfiguration<DataProtectionKey>
{
    public void Configure(EntityTypeBuilder<DataProtectionKey> b)
    {
        b.ToTable("data_protection_keys", "auth");
        b.Property(k => k.Id).HasColumnName("id");
        b.Property(k => k.FriendlyName).HasColumnName("friendly_name");
        b.Property(k => k.Xml).HasColumnName("xml");
    }
}
