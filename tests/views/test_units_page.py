"""The organizer's unit tree page: import from a file, all or nothing."""

import io

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Unit

GOOD = "Mã,Tên đơn vị,Mã cấp trên,Số thành viên\nHN,Hà Nội,,1000\nBD,Ba Đình,HN,200\n"


def upload(client, text, name="units.csv"):
    return client.post("/organizer/units", data={"file": (io.BytesIO(text.encode()), name)},
                       content_type="multipart/form-data")


def test_import_shows_the_tree(organizer_client):
    response = upload(organizer_client, GOOD)
    assert response.status_code == 302
    page = organizer_client.get("/organizer/units").get_data(as_text=True)
    assert "2 đơn vị mới" in page and "Ba Đình" in page and 'class="depth-2"' in page


def test_bad_tree_lists_problems_and_saves_nothing(organizer_client):
    bad = "code,name,parent_code,member_count\nA,Đơn vị A,,10\nB,,A,-5\nC,Đơn vị C,ZZ,1\n"
    response = upload(organizer_client, bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Dòng 3" in page and "Dòng 4" in page
    assert db.session.scalar(select(func.count()).select_from(Unit)) == 0


def test_units_page_is_for_organizers(client):
    assert client.get("/organizer/units").status_code == 302
