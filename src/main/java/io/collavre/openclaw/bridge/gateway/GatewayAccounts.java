package io.collavre.openclaw.bridge.gateway;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads the Gateway accounts: the single account of {@code openclaw.gateway.*} (when it has an owner id) and
 * every account of the accounts file, a properties file of {@code <name>.owner-id}, {@code <name>.gateway-url}
 * and {@code <name>.token} entries.
 */
public final class GatewayAccounts {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,18}");

    private GatewayAccounts() {
    }

    /**
     * @param single       the single-account settings: its name, owner id, URL and token (owner id may be blank)
     * @param accountsFile the accounts file, or null; a missing file is no account
     * @return every account, in file order after the single one
     * @throws IllegalArgumentException naming the account and the setting when an account is incomplete or two
     *                                  accounts share a name
     */
    public static List<GatewayAccount> load(GatewayAccount single, Path accountsFile) throws IOException {
        Map<String, GatewayAccount> accounts = new LinkedHashMap<>();
        if (single != null && single.ownerId() != null && !single.ownerId().isBlank()) {
            accounts.put(single.name(), validate(single, "openclaw.gateway.owner-id", "openclaw.gateway.url"));
        }
        if (accountsFile != null && Files.isRegularFile(accountsFile)) {
            for (GatewayAccount account : parse(accountsFile)) {
                GatewayAccount valid = validate(account, account.name() + ".owner-id", account.name() + ".gateway-url");
                if (accounts.putIfAbsent(account.name(), valid) != null) {
                    throw new IllegalArgumentException("Gateway account '" + account.name() + "' is configured twice");
                }
            }
        }
        return new ArrayList<>(accounts.values());
    }

    static List<GatewayAccount> parse(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        TreeSet<String> names = new TreeSet<>();
        for (String key : properties.stringPropertyNames()) {
            int dot = key.indexOf('.');
            if (dot <= 0) {
                throw new IllegalArgumentException("Unexpected key '" + key + "' in " + file
                                                   + ": use <account>.owner-id, <account>.gateway-url, <account>.token");
            }
            names.add(key.substring(0, dot));
        }
        List<GatewayAccount> accounts = new ArrayList<>();
        for (String name : names) {
            accounts.add(new GatewayAccount(name, trimmed(properties.getProperty(name + ".owner-id")),
                    trimmed(properties.getProperty(name + ".gateway-url")), trimmed(properties.getProperty(name + ".token"))));
        }
        return accounts;
    }

    private static GatewayAccount validate(GatewayAccount account, String ownerKey, String urlKey) {
        if (account.name() == null || !NAME.matcher(account.name()).matches()) {
            throw new IllegalArgumentException("Gateway account name '" + account.name()
                                               + "' must be letters, digits, '-' or '_' (at most 63)");
        }
        if (account.ownerId() == null || !NUMBER.matcher(account.ownerId()).matches()) {
            throw new IllegalArgumentException("Gateway account '" + account.name() + "': " + ownerKey
                                               + " must be the owner's Collavre user id, was '"
                                               + account.ownerId() + "'");
        }
        if (account.gatewayUrl() == null || !account.gatewayUrl().matches("(?i)(wss?|https?)://.+")) {
            throw new IllegalArgumentException("Gateway account '" + account.name() + "': " + urlKey
                                               + " must be a ws://, wss://, http:// or https:// URL, was '"
                                               + account.gatewayUrl() + "'");
        }
        return account;
    }

    private static String trimmed(String value) {
        return value == null ? null : value.trim();
    }
}
