"""The role table shared by the isolation tests of pages and API.

Each world has enterprises a1 and a2 in Dongying and b in Qingdao, and one user per role: a
provincial officer, a Department of Commerce officer, the Dongying and Qingdao city officers,
and an enterprise user of a1.
"""

DONGYING, QINGDAO, PROVINCE = "370500", "370200", "370000"
ROLES = ["province", "department", "dongying", "qingdao", "enterprise"]

#: Which of the world's enterprises each role may see in the registry.
REGISTRY = {
    "province": {"a1", "a2", "b"},
    "department": {"a1", "a2", "b"},
    "dongying": {"a1", "a2"},
    "qingdao": {"b"},
    "enterprise": {"a1"},
}


def role_users(ents: dict) -> dict:
    """One user per role of the table, the enterprise user being a1's."""
    from tests.factories import user

    return {
        "province": user("prov", "province"),
        "department": user("commerce", "department", "dept-com"),
        "dongying": user("dongying", "city", DONGYING),
        "qingdao": user("qingdao", "city", QINGDAO),
        "enterprise": user("firm", "enterprise", ents["a1"].code),
    }
